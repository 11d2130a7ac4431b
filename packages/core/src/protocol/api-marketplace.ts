/**
 * @module protocol/api-marketplace
 * Bodies of the public marketplace routes (GET /v1/marketplace/…): listings
 * of published datasets with their provider, newest release and freshness,
 * providers, and pricing (re-exported from tier.ts). Nothing here is secret: it is what
 * an anonymous visitor may see.
 */
import { z } from 'zod';
import { AccountSchema } from './account.js';
import { FreshnessSchema } from './api-admin.js';
import { IdSchema, PageQuerySchema, SafeUintSchema, TimestampSchema, pageOf } from './common.js';
import { DatasetQuerySchema, DatasetSchema } from './dataset.js';

/** Who publishes a dataset, with the signing key consumers verify manifests against. */
export const ProviderSchema = AccountSchema.pick({ id: true, displayName: true, organization: true, signingPublicKey: true }).extend({
  /** Published datasets of this provider. */
  datasetCount: SafeUintSchema,
});
export type Provider = z.infer<typeof ProviderSchema>;

/** The newest published release of a dataset, as a listing shows it. */
export const ReleaseSummarySchema = z.object({
  id: IdSchema,
  publishedAt: TimestampSchema,
  payloadSize: SafeUintSchema,
  recordCount: SafeUintSchema,
});
export type ReleaseSummary = z.infer<typeof ReleaseSummarySchema>;

export const ListingSchema = z.object({
  dataset: DatasetSchema,
  provider: ProviderSchema.omit({ datasetCount: true }),
  lastRelease: ReleaseSummarySchema.nullable(),
  /** Whether the dataset keeps its declared update interval, as of the request (api-admin.ts has the formulas). */
  freshness: FreshnessSchema,
});
export type Listing = z.infer<typeof ListingSchema>;

/** GET /marketplace/datasets?q=&category=&cursor=&limit= */
export const MarketplaceQuerySchema = DatasetQuerySchema.pick({ q: true, category: true, producerId: true }).extend(PageQuerySchema.shape);
export type MarketplaceQuery = z.infer<typeof MarketplaceQuerySchema>;

export const ListingPageSchema = pageOf(ListingSchema);
export type ListingPage = z.infer<typeof ListingPageSchema>;

export const ProviderListSchema = z.object({ items: z.array(ProviderSchema) });
export type ProviderList = z.infer<typeof ProviderListSchema>;
