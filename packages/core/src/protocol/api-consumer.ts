/**
 * @module protocol/api-consumer
 * Bodies of the consumer routes (/v1/consumer/…). A download answer carries
 * the caller's own key grant (an age header only the caller's identity can
 * open), the signed manifest to verify against, and a short-lived URL for
 * the payload: header + payload is a complete age file.
 */
import { z } from 'zod';
import { ListingSchema } from './api-marketplace.js';
import { AgeRecipientSchema, IdSchema, PageQuerySchema, TimestampSchema, pageOf } from './common.js';
import { AgeHeaderSchema } from './grant.js';
import { SignedManifestSchema } from './manifest.js';
import { PublishedReleaseSchema } from './release.js';
import { SubscriptionSchema, SubscriptionStatusSchema } from './subscription.js';

export const CatalogQuerySchema = PageQuerySchema.extend({ q: z.string().max(200).optional() });
export type CatalogQuery = z.infer<typeof CatalogQuerySchema>;

/** A listing plus the caller's live subscription to it, if any. */
export const CatalogEntrySchema = ListingSchema.extend({
  subscription: z.object({ id: IdSchema, status: SubscriptionStatusSchema }).nullable(),
});
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;
export const CatalogPageSchema = pageOf(CatalogEntrySchema);
export type CatalogPage = z.infer<typeof CatalogPageSchema>;

export const SubscriptionListSchema = z.object({ items: z.array(SubscriptionSchema) });
export type SubscriptionList = z.infer<typeof SubscriptionListSchema>;

export const PublishedReleaseListSchema = z.object({ items: z.array(PublishedReleaseSchema) });
export type PublishedReleaseList = z.infer<typeof PublishedReleaseListSchema>;

export const DownloadSchema = z.object({
  release: PublishedReleaseSchema,
  manifest: SignedManifestSchema,
  grant: z.object({ recipient: AgeRecipientSchema, header: AgeHeaderSchema }),
  /** GET (with Range) for the payload; expires at `expiresAt`, ask again for a new one. */
  url: z.string().min(1),
  expiresAt: TimestampSchema,
});
export type Download = z.infer<typeof DownloadSchema>;
