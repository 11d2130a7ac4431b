/**
 * @module limits/policy
 * What each caller is allowed, and the calendar arithmetic of monthly quotas.
 * By default the figures are the tier's (protocol/tier.ts) for an account
 * and for each of its API keys alike; anonymous callers get the STARTER
 * figures per client IP. A deployment (or a test) may pass its own policy
 * through `deps.limits` (declared here by module augmentation, so the core
 * HubDeps stays unaware of limits).
 *
 * Months are UTC calendar months: quotas reset on the 1st at 00:00 UTC.
 */
import type { Context } from 'hono';
import { tierLimits } from '@dme/core/protocol';
import type { Tier } from '@dme/core/protocol';
import type { RateLimiter } from './token-bucket.js';

export type SubjectKind = 'account' | 'apikey' | 'ip';

export interface LimitPolicy {
  requestsPerSecond: number;
  burst: number;
  /** null: unlimited. Not applied to anonymous callers (no one to bill). */
  monthlyApiCalls: number | null;
  monthlyDownloadBytes: number | null;
}

export interface LimitsOptions {
  /** false turns every limit off (benchmarks); default true. */
  enabled?: boolean;
  policy?: (tier: Tier, kind: SubjectKind) => LimitPolicy;
  /**
   * The client address of an anonymous request. Default: the socket address
   * that @hono/node-server passes as `env.incoming`; never a header, which a
   * client could forge. Workers entries pass `cf-connecting-ip` here.
   */
  clientIp?: (c: Context) => string | undefined;
  limiter?: RateLimiter;
}

declare module '../deps.js' {
  interface HubDeps {
    /** Rate limits and quotas; absent: tier figures, in-memory buckets. */
    limits?: LimitsOptions;
  }
}

export function tierPolicy(tier: Tier): LimitPolicy {
  const t = tierLimits(tier);
  return { requestsPerSecond: t.requestsPerSecond, burst: t.burst, monthlyApiCalls: t.monthlyApiCalls, monthlyDownloadBytes: t.monthlyDownloadBytes };
}

export function defaultPolicy(tier: Tier, kind: SubjectKind): LimitPolicy {
  return tierPolicy(kind === 'ip' ? 'STARTER' : tier);
}

export function defaultClientIp(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/** `YYYY-MM` of a time, UTC. */
export function monthOf(now: Date): string {
  return now.toISOString().slice(0, 7);
}

export function monthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

export function nextMonthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

/** Whole seconds from `now` to the next reset (at least 1). */
export function secondsToMonthEnd(now: Date): number {
  return Math.max(1, Math.ceil((nextMonthStart(now).getTime() - now.getTime()) / 1000));
}

export function monthLengthSec(now: Date): number {
  return Math.round((nextMonthStart(now).getTime() - monthStart(now).getTime()) / 1000);
}
