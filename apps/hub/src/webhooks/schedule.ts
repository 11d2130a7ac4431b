/**
 * @module webhooks/schedule
 * When a failed delivery is retried. The schedule (Standard Webhooks'
 * reference, as used by Svix): attempt 1 at once, then after
 *   5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h
 * measured from the previous attempt, each ± 20 % jitter so a recovering
 * receiver is not hit by every delivery at the same second. Eight attempts
 * over about 27.6 h nominal (22–33 h with jitter). When the last attempt
 * fails, the delivery fails and the webhook is disabled (WEBHOOK_DISABLED
 * goes to its owner).
 */

export const RETRY_DELAYS_SEC: readonly number[] = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600];
export const MAX_ATTEMPTS = RETRY_DELAYS_SEC.length + 1;
export const JITTER = 0.2;

/**
 * Delay before the attempt after `attempt` (1-based) failed, in ms; null when
 * none is left. `random` in [0, 1) (injected for tests).
 */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number | null {
  const base = RETRY_DELAYS_SEC[attempt - 1];
  if (base === undefined) return null;
  const factor = 1 - JITTER + 2 * JITTER * random();
  return Math.round(base * 1000 * factor);
}
