/**
 * @module protocol/account
 * Accounts as the hub exposes them. Capabilities are feature flags on the
 * account (DESIGN §4); subscriptions are never stored here. Public keys are
 * published here so counterparties can encrypt to / verify the account; the
 * matching secrets never leave the user's machine.
 */
import { z } from 'zod';
import { AgeRecipientSchema, Ed25519PublicKeySchema, IdSchema, TimestampSchema } from './common.js';
import { TierSchema } from './tier-name.js';

export const FEATURES = ['DATA_PRODUCER', 'DATA_CONSUMER', 'ADMIN'] as const;
export const FeatureSchema = z.enum(FEATURES);
export type Feature = z.infer<typeof FeatureSchema>;

export const ACCOUNT_STATUSES = ['ACTIVE', 'SUSPENDED'] as const;
export const AccountStatusSchema = z.enum(ACCOUNT_STATUSES);
export type AccountStatus = z.infer<typeof AccountStatusSchema>;

export const DisplayNameSchema = z.string().trim().min(1).max(100);
export const OrganizationSchema = z.string().trim().min(1).max(200);

export const AccountSchema = z.object({
  id: IdSchema,
  email: z.email().max(254),
  displayName: DisplayNameSchema,
  organization: OrganizationSchema.optional(),
  /** Distinct flags; order carries no meaning. */
  features: z.array(FeatureSchema).refine((f) => new Set(f).size === f.length, 'features must be distinct'),
  tier: TierSchema,
  status: AccountStatusSchema,
  ageRecipient: AgeRecipientSchema.optional(),
  signingPublicKey: Ed25519PublicKeySchema.optional(),
  mfaEnabled: z.boolean().default(false),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Account = z.infer<typeof AccountSchema>;

/** What other accounts may see: enough to encrypt to and verify a party. */
export const PublicAccountSchema = AccountSchema.pick({
  id: true,
  displayName: true,
  organization: true,
  features: true,
  ageRecipient: true,
  signingPublicKey: true,
});
export type PublicAccount = z.infer<typeof PublicAccountSchema>;

/** PUT /account/profile. Keys may be set or rotated; null clears organization. */
export const AccountUpdateSchema = z.strictObject({
  displayName: DisplayNameSchema.optional(),
  organization: OrganizationSchema.nullable().optional(),
  ageRecipient: AgeRecipientSchema.optional(),
  signingPublicKey: Ed25519PublicKeySchema.optional(),
});
export type AccountUpdate = z.infer<typeof AccountUpdateSchema>;

/** POST /account/enable-feature. ADMIN is granted by an admin, never self-enabled. */
export const EnableFeatureSchema = z.strictObject({
  feature: z.enum(['DATA_PRODUCER', 'DATA_CONSUMER']),
});
export type EnableFeature = z.infer<typeof EnableFeatureSchema>;
