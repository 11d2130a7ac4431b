/**
 * @module protocol/tier-name
 * The tier enum alone, so models that only name a tier (accounts) need not
 * import the tier limits table.
 */
import { z } from 'zod';

export const TIERS = ['STARTER', 'PROFESSIONAL', 'ENTERPRISE'] as const;
export const TierSchema = z.enum(TIERS);
export type Tier = z.infer<typeof TierSchema>;
