/**
 * @module limits/token-bucket
 * Per-second rate limiting as token buckets behind a small interface, so the
 * in-memory Node implementation can be replaced by a Durable Object on
 * Workers. A bucket holds at most `burst` tokens and refills at `rate` per
 * second; a request takes one token from EVERY bucket it names or from none
 * (all-or-nothing), so the stricter bucket always decides.
 *
 * Invariant: time comes from the caller (`nowMs`), never from Date.now(), so
 * tests drive refill with a controllable clock.
 */

export interface BucketSpec {
  /** e.g. `acct:<id>`, `key:<id>`, `ip:<addr>`. */
  key: string;
  /** Tokens per second. */
  rate: number;
  burst: number;
}

export interface TakeResult {
  allowed: boolean;
  /** The deciding bucket: the one refused, or the one with the fewest tokens left. */
  key: string;
  rate: number;
  burst: number;
  /** Whole tokens left in the deciding bucket after this request. */
  remaining: number;
  /** Seconds until the deciding bucket holds one token again (0 when some are left). */
  retryAfterSec: number;
  /** Seconds until the deciding bucket is full again. */
  resetSec: number;
}

export interface RateLimiter {
  take(buckets: readonly BucketSpec[], nowMs: number): Promise<TakeResult>;
}

interface BucketState {
  tokens: number;
  atMs: number;
}

/** Past this many buckets, full ones are swept (a full bucket is the same as no bucket). */
const SWEEP_THRESHOLD = 50_000;

function level(spec: BucketSpec, state: BucketState | undefined, nowMs: number): number {
  if (!state) return spec.burst;
  const elapsed = Math.max(0, nowMs - state.atMs) / 1000;
  // A tier change moves `burst`: the level is clamped to the new size, never raised.
  return Math.min(spec.burst, state.tokens + elapsed * spec.rate);
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, BucketState>();

  get size(): number {
    return this.buckets.size;
  }

  async take(specs: readonly BucketSpec[], nowMs: number): Promise<TakeResult> {
    return this.takeSync(specs, nowMs);
  }

  /** `take` without a promise. Loops, not array callbacks, and one lookup per bucket: this runs on every request. */
  takeSync(specs: readonly BucketSpec[], nowMs: number): TakeResult {
    if (this.buckets.size > SWEEP_THRESHOLD) this.sweep(nowMs);
    const states: (BucketState | undefined)[] = [];
    const levels: number[] = [];
    for (const spec of specs) {
      const state = this.buckets.get(spec.key);
      const tokens = level(spec, state, nowMs);
      if (tokens < 1) {
        // Keep the refilled level so the next request does not recount elapsed time.
        this.put(spec.key, state, tokens, nowMs);
        return {
          allowed: false,
          key: spec.key,
          rate: spec.rate,
          burst: spec.burst,
          remaining: 0,
          retryAfterSec: Math.max(1, Math.ceil((1 - tokens) / spec.rate)),
          resetSec: Math.ceil((spec.burst - tokens) / spec.rate),
        };
      }
      states.push(state);
      levels.push(tokens);
    }
    let decider = 0;
    for (let i = 0; i < specs.length; i++) {
      const left = levels[i]! - 1;
      this.put(specs[i]!.key, states[i], left, nowMs);
      if (left < levels[decider]! - 1) decider = i;
    }
    const spec = specs[decider]!;
    const left = levels[decider]! - 1;
    return {
      allowed: true,
      key: spec.key,
      rate: spec.rate,
      burst: spec.burst,
      remaining: Math.floor(left),
      retryAfterSec: left >= 1 ? 0 : Math.ceil((1 - left) / spec.rate),
      resetSec: Math.ceil((spec.burst - left) / spec.rate),
    };
  }

  /** Updates a bucket in place (no new object per request). */
  private put(key: string, state: BucketState | undefined, tokens: number, atMs: number): void {
    if (state) {
      state.tokens = tokens;
      state.atMs = atMs;
    } else {
      this.buckets.set(key, { tokens, atMs });
    }
  }

  /** Drops buckets idle for a minute: every tier refills in ≤ 2 s (burst/rate), so they are full, i.e. as if absent. */
  private sweep(nowMs: number): void {
    for (const [key, state] of this.buckets) {
      if (nowMs - state.atMs > 60_000) this.buckets.delete(key);
    }
  }
}
