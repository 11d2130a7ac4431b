/**
 * The RateLimit fields' text: numbers formatted by the fast path must read exactly as
 * String(n) would, and remembered policy texts must follow the figures they were built from.
 */
import { describe, expect, it } from 'vitest';
import { intText, parseRateLimit, rateLimitHeaders } from './headers.js';
import type { PolicyFigure } from './headers.js';

describe('intText', () => {
  it('reads as String(n) around the small-integer limit, at leading zeros of the low digits, and up to 2^53', () => {
    const values = [0, 7, 2 ** 30 - 1, 2 ** 30, 2 ** 31, 1e8, 1e9 + 7, 100_000_000_000_001, 999_999_999_999_998, 1e15, Number.MAX_SAFE_INTEGER];
    for (const n of values) expect(intText(n)).toBe(String(n));
  });

  it('falls back to String(n) for what is not a safe whole number', () => {
    for (const n of [2.5, -3, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY]) expect(intText(n)).toBe(String(n));
  });
});

describe('rateLimitHeaders', () => {
  const burst: PolicyFigure = { name: 'burst', quota: 20, windowSec: 2, remaining: 19, resetSec: 1 };
  const bytes = (quota: number, remaining: number): PolicyFigure => ({ name: 'bandwidth', unit: 'content-bytes', quota, windowSec: 2678400, remaining, resetSec: 86400 });

  it('writes every figure in order, clamping negative figures to 0', () => {
    const fields = rateLimitHeaders([burst, bytes(1e15, 999_999_987_654_321), { name: 'monthly', quota: 5, windowSec: 2678400, remaining: -1, resetSec: 86400 }]);
    expect(fields['RateLimit-Policy']).toBe('"burst";q=20;w=2, "bandwidth";q=1000000000000000;qu="content-bytes";w=2678400, "monthly";q=5;w=2678400');
    expect(fields.RateLimit).toBe('"burst";r=19;t=1, "bandwidth";r=999999987654321;t=86400, "monthly";r=0;t=86400');
    expect(parseRateLimit(fields.RateLimit, 'bandwidth')).toEqual({ r: 999_999_987_654_321, t: 86400 });
  });

  it('answers each set of quotas with its own policy text when requests alternate between them', () => {
    const a = [burst, bytes(1000, 10)];
    const b = [burst, bytes(2000, 10)];
    for (let i = 0; i < 3; i++) {
      expect(rateLimitHeaders(a)['RateLimit-Policy']).toContain('"bandwidth";q=1000;');
      expect(rateLimitHeaders(b)['RateLimit-Policy']).toContain('"bandwidth";q=2000;');
      expect(rateLimitHeaders([burst])['RateLimit-Policy']).toBe('"burst";q=20;w=2');
    }
  });
});
