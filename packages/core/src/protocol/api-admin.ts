/**
 * @module protocol/api-admin
 * Bodies of the admin API (/v1/admin/…, ADMIN accounts only) and of dataset
 * freshness, which the catalog, the desktop app and the admin page share.
 *
 * Freshness (hub/src/freshness): a dataset with an expected update interval
 * I and grace G is due at `lastRelease + I + G`. `score` is 100 until then
 * and halves for every further interval of lateness (100 · 2^(−late/I)),
 * rounded; `slaCompliance` is the share of the interval slots (anchored at
 * publication) that ended in the last 30 days and saw a release before their
 * end + G. Both are null for a dataset without a schedule.
 */
import { z } from 'zod';
import { AccountSchema, AccountStatusSchema, FeatureSchema } from './account.js';
import { IdSchema, PageQuerySchema, SafeUintSchema, TimestampSchema, pageOf } from './common.js';
import { DatasetStatusSchema } from './dataset.js';
import { SubscriptionSchema, SubscriptionStatusSchema } from './subscription.js';
import { TierSchema } from './tier-name.js';

/** YYYY-MM, a UTC calendar month (quotas reset on the 1st, 00:00 UTC). */
export const MonthSchema = z.string().regex(/^[0-9]{4}-(?:0[1-9]|1[0-2])$/, 'month is YYYY-MM');
export type Month = z.infer<typeof MonthSchema>;

export const FRESHNESS_STATES = ['UNSCHEDULED', 'ON_TIME', 'LATE'] as const;
export const FreshnessStateSchema = z.enum(FRESHNESS_STATES);
export type FreshnessState = z.infer<typeof FreshnessStateSchema>;

export const FreshnessSchema = z.object({
  datasetId: IdSchema,
  state: FreshnessStateSchema,
  expectedUpdateIntervalSeconds: z.number().int().positive().nullable(),
  gracePeriodSeconds: z.number().int().nonnegative(),
  lastReleaseAt: TimestampSchema.nullable(),
  /** When the next release is due (incl. grace); null without a schedule. */
  expectedBy: TimestampSchema.nullable(),
  /** 0–100, see the module doc; null without a schedule. */
  score: z.number().int().min(0).max(100).nullable(),
  /** 0–1 over the last 30 days; null without a schedule or without a whole slot in the window. */
  slaCompliance: z.number().min(0).max(1).nullable(),
  intervals30d: z.object({ expected: SafeUintSchema, met: SafeUintSchema }),
  /** Start of the current late episode (the missed due time), if LATE. */
  lateSince: TimestampSchema.nullable(),
});
export type Freshness = z.infer<typeof FreshnessSchema>;

/** The figures of one account's monthly quotas. `null` limit: unlimited. */
export const QuotaUsageSchema = z.object({
  month: MonthSchema,
  apiCalls: SafeUintSchema,
  apiCallsLimit: SafeUintSchema.nullable(),
  downloadBytes: SafeUintSchema,
  downloadBytesLimit: SafeUintSchema,
});
export type QuotaUsage = z.infer<typeof QuotaUsageSchema>;

/** GET /admin/accounts: `q` matches email, display name or organization (substring, case-insensitive). */
export const AdminAccountQuerySchema = PageQuerySchema.extend({
  q: z.string().trim().min(1).max(200).optional(),
  tier: TierSchema.optional(),
  status: AccountStatusSchema.optional(),
  feature: FeatureSchema.optional(),
});
export type AdminAccountQuery = z.infer<typeof AdminAccountQuerySchema>;

export const AdminAccountPageSchema = pageOf(AccountSchema);
export type AdminAccountPage = z.infer<typeof AdminAccountPageSchema>;

export const AdminApiKeySchema = z.object({
  id: IdSchema,
  name: z.string(),
  scopes: z.array(z.string()),
  createdAt: TimestampSchema,
  expiresAt: TimestampSchema.nullable(),
  lastUsedAt: TimestampSchema.nullable(),
});

export const AdminAccountDetailSchema = z.object({
  account: AccountSchema,
  apiKeys: z.array(AdminApiKeySchema),
  quota: QuotaUsageSchema,
});
export type AdminAccountDetail = z.infer<typeof AdminAccountDetailSchema>;

export const AdminTierChangeSchema = z.strictObject({ tier: TierSchema });
/** The account's complete set of feature flags after the change. */
export const AdminFeaturesChangeSchema = z.strictObject({
  features: z.array(FeatureSchema).max(3).refine((f) => new Set(f).size === f.length, 'features must be distinct'),
});
export const AdminReasonSchema = z.strictObject({ reason: z.string().trim().min(1).max(1000).optional() });

export const AdminRevokedKeysSchema = z.object({ revoked: SafeUintSchema });

/** GET /admin/datasets */
export const AdminDatasetQuerySchema = PageQuerySchema.extend({ status: DatasetStatusSchema.optional() });

export const AdminDatasetSchema = z.object({
  id: IdSchema,
  producerId: IdSchema,
  slug: z.string(),
  name: z.string(),
  status: DatasetStatusSchema,
  createdAt: TimestampSchema,
  publishedAt: TimestampSchema.nullable(),
  freshness: FreshnessSchema,
});
export type AdminDataset = z.infer<typeof AdminDatasetSchema>;
export const AdminDatasetPageSchema = pageOf(AdminDatasetSchema);

/** PUT /admin/datasets/{id}/status: suspend, archive, or lift a suspension (→ PUBLISHED). */
export const AdminDatasetStatusChangeSchema = z.strictObject({
  status: z.enum(['SUSPENDED', 'ARCHIVED', 'PUBLISHED']),
  reason: z.string().trim().min(1).max(1000).optional(),
});

/** GET /admin/subscriptions */
export const AdminSubscriptionQuerySchema = PageQuerySchema.extend({ status: SubscriptionStatusSchema.optional() });
export const AdminSubscriptionPageSchema = pageOf(SubscriptionSchema);

/** GET /admin/usage: downloads and uploads grouped by account, dataset and month. */
export const AdminUsageQuerySchema = z.object({
  accountId: IdSchema.optional(),
  datasetId: IdSchema.optional(),
  month: MonthSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export const AdminUsageRowSchema = z.object({
  accountId: IdSchema,
  datasetId: IdSchema,
  month: MonthSchema,
  kind: z.enum(['upload', 'download']),
  count: SafeUintSchema,
  bytes: SafeUintSchema,
});
export type AdminUsageRow = z.infer<typeof AdminUsageRowSchema>;
export const AdminUsageSchema = z.object({ items: z.array(AdminUsageRowSchema) });

export const FreshnessPageSchema = pageOf(FreshnessSchema);
