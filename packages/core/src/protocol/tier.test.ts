import { describe, it, expect } from 'vitest';
import { GB, TIER_LIMITS, TierLimitsSchema, historyCutoff, pricing, tierLimits } from './tier.js';

describe('tiers', () => {
  it('carry the DESIGN §4 / seed numbers and validate', () => {
    const rows = pricing().tiers.map((t) => [t.tier, t.requestsPerSecond, t.burst, t.monthlyApiCalls, t.monthlyDownloadBytes / GB, t.maxSubscriptions, t.historyMonths, t.webhooks, t.priceUsdPerMonth]);
    expect(rows).toEqual([
      ['STARTER', 10, 20, 1_000_000, 100, 1, 3, false, 299],
      ['PROFESSIONAL', 50, 100, 10_000_000, 1_000, 5, 12, true, 999],
      ['ENTERPRISE', 200, 400, null, 10_000, null, null, true, 4_999],
    ]);
    for (const t of Object.values(TIER_LIMITS)) expect(TierLimitsSchema.parse(t)).toEqual(t);
    expect(tierLimits('STARTER').burst).toBeGreaterThan(tierLimits('STARTER').requestsPerSecond);
  });

  it('history cutoff counts calendar months in UTC and clamps month ends', () => {
    expect(historyCutoff('STARTER', new Date('2025-05-31T10:00:00Z'))?.toISOString()).toBe('2025-02-28T10:00:00.000Z');
    expect(historyCutoff('STARTER', new Date('2024-05-31T10:00:00Z'))?.toISOString()).toBe('2024-02-29T10:00:00.000Z');
    expect(historyCutoff('PROFESSIONAL', new Date('2025-01-15T00:00:00Z'))?.toISOString()).toBe('2024-01-15T00:00:00.000Z');
    expect(historyCutoff('STARTER', new Date('2025-02-10T00:00:00Z'))?.toISOString()).toBe('2024-11-10T00:00:00.000Z');
    expect(historyCutoff('ENTERPRISE', new Date())).toBeNull();
  });
});
