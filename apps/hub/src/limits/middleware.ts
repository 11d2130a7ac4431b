/**
 * @module limits/middleware
 * `rateLimits(deps)`: the limit check in front of every /v1 route (except
 * /v1/blob, whose signed URLs are their own credential and whose bytes are
 * counted when the URL is issued).
 *
 * Order per request:
 *   1. identify the caller: a valid bearer (JWT or API key) resolves the
 *      account here (requireAuth is idempotent, so the area guards do not
 *      repeat it); anything else is anonymous and keyed by client IP, and
 *      the route's own guard still answers 401/403 as before;
 *   2. monthly API calls of the account (QUOTA_EXCEEDED, Retry-After = the
 *      reset on the 1st, 00:00 UTC);
 *   3. download bandwidth on GET /v1/consumer/download/{releaseId}: bytes of
 *      download URLs issued this month + this payload must fit the tier;
 *   4. token buckets: the account's and, for an API key, the key's (both
 *      must have a token: the stricter decides), or the client IP's;
 *   5. count the call (in memory; see store/quotas) and run the route;
 *      every answer, errors included, carries RateLimit-Policy / RateLimit
 *      (added here, or built in by a hot route through limits/respond.ts).
 *
 * The checks answer synchronously from memory when their figures are known
 * (call counter loaded, payload size and bandwidth figure remembered): on the
 * download route the limiter's own cost is a few microseconds, and an await
 * per figure was a measurable part of it.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { authenticate } from '../auth/middleware.js';
import type { HubDeps } from '../deps.js';
import type { Caller, HubEnv } from '../env.js';
import { HubError } from '../errors.js';
import { rateLimitHeaders } from './headers.js';
import type { PolicyFigure, RateLimitFields } from './headers.js';
import { bandwidthUsed, bucketNames, monthCache, payloadSizes } from './figures.js';
import { defaultClientIp, defaultPolicy, nextMonthStart } from './policy.js';
import type { LimitPolicy } from './policy.js';
import type { LimitedRequest } from './respond.js';
import { MemoryRateLimiter } from './token-bucket.js';
import type { BucketSpec, TakeResult } from './token-bucket.js';

const DOWNLOAD_PREFIX = '/v1/consumer/download/';

/** The release id of GET /v1/consumer/download/{releaseId}, else undefined. */
function downloadedRelease(method: string, path: string): string | undefined {
  if (method !== 'GET' || !path.startsWith(DOWNLOAD_PREFIX)) return undefined;
  const id = path.slice(DOWNLOAD_PREFIX.length);
  return id && !id.includes('/') ? id : undefined;
}

function setFields(c: Context, fields: RateLimitFields): void {
  try {
    c.res.headers.set('RateLimit-Policy', fields['RateLimit-Policy']);
    c.res.headers.set('RateLimit', fields.RateLimit);
  } catch {
    // Immutable headers (a Response passed through from fetch): copy it once.
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set('RateLimit-Policy', fields['RateLimit-Policy']);
    c.res.headers.set('RateLimit', fields.RateLimit);
  }
}

function burstFigure(t: TakeResult): PolicyFigure {
  return { name: 'burst', quota: t.burst, windowSec: Math.ceil(t.burst / t.rate), remaining: t.remaining, resetSec: t.resetSec };
}

function bucketName(key: string): string {
  return key.startsWith('key:') ? 'apikey' : key.startsWith('ip:') ? 'ip' : 'account';
}

export function rateLimits(deps: HubDeps): MiddlewareHandler<HubEnv> {
  const opts = deps.limits ?? {};
  if (opts.enabled === false) return async (_c, next) => next();
  const policyOf = opts.policy ?? defaultPolicy;
  const clientIp = opts.clientIp ?? defaultClientIp;
  const limiter = opts.limiter ?? new MemoryRateLimiter();
  const monthFigures = monthCache();
  const payloadSize = payloadSizes(deps);
  const bandwidth = bandwidthUsed(deps);
  const accountBucket = bucketNames('acct:');
  const keyBucket = bucketNames('key:');
  const ipBucket = bucketNames('ip:');

  return async (c, next) => {
    const path = c.req.path;
    if (path.startsWith('/v1/blob/')) return next();
    // Identify the caller: a bad credential is not an error here (the route's guard answers
    // it), and a caller found here is the route's too (requireAuth sees it and skips).
    const authorization = c.req.header('authorization');
    let caller: Caller | undefined;
    if (authorization) {
      try {
        caller = await authenticate(deps, c, authorization);
        c.set('caller', caller);
      } catch (err) {
        if (!(err instanceof HubError)) throw err;
      }
    }
    const now = deps.clock.now();
    let buckets: BucketSpec[];
    let policy: LimitPolicy;
    const m = monthFigures(now);
    const month = m.month;

    if (caller) {
      policy = policyOf(caller.tier, 'account');
      buckets = [{ key: accountBucket(caller.accountId), rate: policy.requestsPerSecond, burst: policy.burst }];
      if (caller.apiKeyId) {
        const kp = policyOf(caller.tier, 'apikey');
        buckets.push({ key: keyBucket(caller.apiKeyId), rate: kp.requestsPerSecond, burst: kp.burst });
      }
    } else {
      policy = policyOf('STARTER', 'ip');
      const ip = clientIp(c);
      // No address (a runtime entry that does not pass one): one shared bucket would let any
      // client lock every anonymous caller out, so such requests are not rate limited.
      if (ip === undefined) return next();
      buckets = [{ key: ipBucket(ip), rate: policy.requestsPerSecond, burst: policy.burst }];
    }

    let calls: PolicyFigure | undefined;
    if (caller && policy.monthlyApiCalls !== null) {
      const usedOr = deps.store.quotas.apiCalls(caller.accountId, month);
      const used = typeof usedOr === 'number' ? usedOr : await usedOr;
      const fig: PolicyFigure = { name: 'monthly', quota: policy.monthlyApiCalls, windowSec: m.lengthSec, remaining: policy.monthlyApiCalls - used - 1, resetSec: m.resetSec };
      if (used >= policy.monthlyApiCalls) {
        throw new HubError('QUOTA_EXCEEDED', `monthly API call quota of the ${caller.tier} tier used up (${policy.monthlyApiCalls} calls); it resets on ${nextMonthStart(now).toISOString()}`, {
          details: { quota: 'monthlyApiCalls', limit: policy.monthlyApiCalls, used, resetsAt: nextMonthStart(now).toISOString() },
          headers: { 'Retry-After': String(fig.resetSec), ...rateLimitHeaders([{ ...fig, remaining: 0 }]) },
        });
      }
      calls = fig;
    }

    const release = caller ? downloadedRelease(c.req.method, path) : undefined;
    let charged = 0;
    let bytes: PolicyFigure | undefined;
    if (caller && release !== undefined && policy.monthlyDownloadBytes !== null) {
      const sizeOr = payloadSize(release);
      const size = typeof sizeOr === 'number' ? sizeOr : await sizeOr;
      const usedOr = bandwidth.get(caller.accountId, now, month);
      const used = typeof usedOr === 'number' ? usedOr : await usedOr;
      charged = size;
      const fig: PolicyFigure = { name: 'bandwidth', unit: 'content-bytes', quota: policy.monthlyDownloadBytes, windowSec: m.lengthSec, remaining: policy.monthlyDownloadBytes - used - size, resetSec: m.resetSec };
      if (used + size > policy.monthlyDownloadBytes) {
        throw new HubError('QUOTA_EXCEEDED', `monthly download bandwidth of the ${caller.tier} tier would be exceeded (${used} of ${policy.monthlyDownloadBytes} bytes used, this payload is ${size})`, {
          details: { quota: 'monthlyDownloadBytes', limit: policy.monthlyDownloadBytes, used, requested: size, resetsAt: nextMonthStart(now).toISOString() },
          headers: { 'Retry-After': String(fig.resetSec), ...rateLimitHeaders([{ ...fig, remaining: policy.monthlyDownloadBytes - used }]) },
        });
      }
      bytes = fig;
    }

    // The in-memory limiter answers synchronously: no promise on the hot path.
    const taken = limiter instanceof MemoryRateLimiter ? limiter.takeSync(buckets, now.getTime()) : await limiter.take(buckets, now.getTime());
    // Built in answer order (burst first) rather than unshifted: this runs on every request.
    const figures = [burstFigure(taken)];
    if (calls) figures.push(calls);
    if (bytes) figures.push(bytes);
    if (!taken.allowed) {
      throw new HubError('RATE_LIMITED', `too many requests: ${taken.rate}/s with bursts of ${taken.burst}; retry in ${taken.retryAfterSec} s`, {
        details: { bucket: bucketName(taken.key), retryAfterSeconds: taken.retryAfterSec },
        headers: { 'Retry-After': String(taken.retryAfterSec), ...rateLimitHeaders(figures) },
      });
    }
    if (caller) {
      const counted = deps.store.quotas.countApiCall(caller.accountId, month);
      if (counted) await counted;
    }

    // Known before the route runs, so a hot route can answer with them (limits/respond.ts).
    const limited: LimitedRequest = { fields: rateLimitHeaders(figures) };
    c.set('rateLimit', limited);
    await next();
    // The route recorded the download in the usage table; count it here until the next read.
    if (caller && charged > 0 && c.res.status === 200) bandwidth.add(caller.accountId, charged);
    if (limited.carriedBy !== c.res) setFields(c, limited.fields);
  };
}
