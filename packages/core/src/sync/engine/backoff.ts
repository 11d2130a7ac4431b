/**
 * @module sync/engine/backoff
 * Retry delays for failed releases: exponential from `baseMs`, capped at
 * `maxMs`, with ±25 % jitter so many consumers retrying after a hub outage
 * do not arrive in step.
 */

export interface RetryPolicy {
  /** First retry delay (default 2 s). */
  baseMs: number;
  /** Ceiling of a delay (default 5 min). */
  maxMs: number;
  /** Attempts per release before it is given up until the next restart or trigger (default 12). */
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 2_000, maxMs: 5 * 60_000, maxAttempts: 12 };

/** Delay before attempt `failures + 1`, after `failures` (≥ 1) failed attempts. */
export function retryDelayMs(failures: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exp = Math.min(30, Math.max(0, failures - 1));
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exp);
  return Math.max(0, Math.round(ceiling * (0.75 + random() * 0.5)));
}
