/**
 * @module protocol/tier
 * Consumer tiers as data (DESIGN §4, DME seed "Rate Limiting Strategy" and
 * "Consumer Pricing"). The hub enforces these numbers; the catalog shows
 * them. `null` means unlimited. Bytes are decimal: 1 GB = 10^9 bytes.
 */
import { z } from 'zod';
import { TIERS, TierSchema, type Tier } from './tier-name.js';

export const GB = 1_000_000_000;

export const TierLimitsSchema = z.object({
  tier: TierSchema,
  /** Sustained requests per second (token bucket refill). */
  requestsPerSecond: z.number().int().positive(),
  /** Token bucket size. */
  burst: z.number().int().positive(),
  monthlyApiCalls: z.number().int().positive().nullable(),
  monthlyDownloadBytes: z.number().int().positive(),
  /** Active-or-pending subscriptions the consumer may hold at once. */
  maxSubscriptions: z.number().int().positive().nullable(),
  /** Releases older than this many months are not granted to a new subscriber; null = all history. */
  historyMonths: z.number().int().positive().nullable(),
  webhooks: z.boolean(),
  /** Enterprise: presigned URLs straight to the producer's bucket, as the seed's "Direct S3 access". */
  directStorageAccess: z.boolean(),
  /** Seed price, whole US dollars per month. */
  priceUsdPerMonth: z.number().int().nonnegative(),
  support: z.enum(['email', 'priority', 'dedicated']),
});
export type TierLimits = z.infer<typeof TierLimitsSchema>;

export const TIER_LIMITS = {
  STARTER: {
    tier: 'STARTER',
    requestsPerSecond: 10,
    burst: 20,
    monthlyApiCalls: 1_000_000,
    monthlyDownloadBytes: 100 * GB,
    maxSubscriptions: 1,
    historyMonths: 3,
    webhooks: false,
    directStorageAccess: false,
    priceUsdPerMonth: 299,
    support: 'email',
  },
  PROFESSIONAL: {
    tier: 'PROFESSIONAL',
    requestsPerSecond: 50,
    burst: 100,
    monthlyApiCalls: 10_000_000,
    monthlyDownloadBytes: 1_000 * GB,
    maxSubscriptions: 5,
    historyMonths: 12,
    webhooks: true,
    directStorageAccess: false,
    priceUsdPerMonth: 999,
    support: 'priority',
  },
  ENTERPRISE: {
    tier: 'ENTERPRISE',
    requestsPerSecond: 200,
    burst: 400,
    monthlyApiCalls: null,
    monthlyDownloadBytes: 10_000 * GB,
    maxSubscriptions: null,
    historyMonths: null,
    webhooks: true,
    directStorageAccess: true,
    priceUsdPerMonth: 4_999,
    support: 'dedicated',
  },
} as const satisfies Record<Tier, TierLimits>;

export function tierLimits(tier: Tier): TierLimits {
  return TIER_LIMITS[tier];
}

/** Every tier in ascending order, for GET /marketplace/pricing. */
export const PricingSchema = z.object({ tiers: z.array(TierLimitsSchema) });
export function pricing(): z.infer<typeof PricingSchema> {
  return { tiers: TIERS.map((t) => TIER_LIMITS[t]) };
}

/**
 * Oldest release time a subscriber of `tier` may receive, or null for all
 * history. Calendar months in UTC; a day past the target month's end clamps
 * to its last day (31 May − 3 months = 28/29 Feb).
 */
export function historyCutoff(tier: Tier, now: Date): Date | null {
  const months = TIER_LIMITS[tier].historyMonths;
  if (months === null) return null;
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth() - months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const cutoff = new Date(now.getTime());
  cutoff.setUTCFullYear(y, m, Math.min(now.getUTCDate(), lastDay));
  return cutoff;
}
