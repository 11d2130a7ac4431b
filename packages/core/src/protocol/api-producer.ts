/**
 * @module protocol/api-producer
 * Bodies of the producer routes (/v1/producer/…), built from the models.
 * Publishing is three calls: start a release (declares the payload size and,
 * optionally, its SHA-256) → upload to the returned target → complete with
 * the signed manifest and the key grants. The hub re-checks size, checksum,
 * signature and grant shape at completion; nothing is visible before.
 */
import { z } from 'zod';
import { PublicAccountSchema } from './account.js';
import { IdSchema, PageQuerySchema, SafeUintSchema, Sha256HexSchema, TimestampSchema, pageOf } from './common.js';
import { DatasetSchema } from './dataset.js';
import { KeyGrantInputSchema, PendingGrantSchema } from './grant.js';
import { PublishedReleaseSchema, ReleaseCreateSchema, ReleaseSchema } from './release.js';
import { SubscriptionDecisionSchema, SubscriptionSchema, SubscriptionStatusSchema } from './subscription.js';

export const DatasetPageQuerySchema = PageQuerySchema;
export const DatasetPageSchema = pageOf(DatasetSchema);
export type DatasetPage = z.infer<typeof DatasetPageSchema>;

/** POST /producer/datasets/{id}/releases. A declared SHA-256 must then match the manifest and the stored bytes. */
export const ReleaseStartSchema = ReleaseCreateSchema.extend({ payloadSha256: Sha256HexSchema.optional() });
export type ReleaseStart = z.infer<typeof ReleaseStartSchema>;

/**
 * Where the payload bytes go, exactly as the blob store issues it (and as
 * sdk/transfer.ts consumes it): one signed URL taking `Content-Range` pieces
 * with a HEAD status URL for resume, or multipart part URLs.
 */
export const PayloadTargetSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('single'),
    url: z.string().min(1),
    statusUrl: z.string().min(1),
    expiresAt: TimestampSchema,
    headers: z.record(z.string(), z.string()).optional(),
  }),
  z.object({
    kind: z.literal('multipart'),
    uploadId: z.string().min(1),
    partSize: z.number().int().positive(),
    parts: z.array(z.object({ partNumber: z.number().int().min(1).max(10_000), url: z.string().min(1) })).min(1),
    expiresAt: TimestampSchema,
  }),
]);
export type PayloadTarget = z.infer<typeof PayloadTargetSchema>;

export const ReleaseUploadSchema = z.object({ release: ReleaseSchema, target: PayloadTargetSchema });
export type ReleaseUpload = z.infer<typeof ReleaseUploadSchema>;

export const ReleasePublishedSchema = z.object({ release: PublishedReleaseSchema, grants: SafeUintSchema });
export type ReleasePublished = z.infer<typeof ReleasePublishedSchema>;

export const ReleaseListSchema = z.object({ items: z.array(ReleaseSchema) });
export type ReleaseList = z.infer<typeof ReleaseListSchema>;

export const SubscribersQuerySchema = z.object({ status: SubscriptionStatusSchema.optional() });

/** A subscription with the public keys the producer's client wraps file keys to. */
export const SubscriberSchema = z.object({
  subscription: SubscriptionSchema,
  consumer: PublicAccountSchema.pick({ id: true, displayName: true, organization: true, ageRecipient: true }),
});
export type Subscriber = z.infer<typeof SubscriberSchema>;
export const SubscriberListSchema = z.object({ items: z.array(SubscriberSchema) });
export type SubscriberList = z.infer<typeof SubscriberListSchema>;

/** A grant for one historical release, written by the producer's client. */
export const HistoryGrantSchema = KeyGrantInputSchema.extend({ releaseId: IdSchema });
export type HistoryGrant = z.infer<typeof HistoryGrantSchema>;

/** approve / reject / suspend / reinstate. `grants` (approve, reinstate): history grants for the subscriber. */
export const ProducerDecisionSchema = SubscriptionDecisionSchema.extend({ grants: z.array(HistoryGrantSchema).max(1000).optional() });
export type ProducerDecision = z.infer<typeof ProducerDecisionSchema>;

export const DecisionResultSchema = z.object({
  subscription: SubscriptionSchema,
  /** History grants still owed to this subscriber (GET /producer/pending-grants lists them). */
  pendingGrants: SafeUintSchema,
});
export type DecisionResult = z.infer<typeof DecisionResultSchema>;

export const PendingGrantListSchema = z.object({ items: z.array(PendingGrantSchema) });
export type PendingGrantList = z.infer<typeof PendingGrantListSchema>;

export const GrantsStoredSchema = z.object({
  stored: SafeUintSchema,
  /** Approved subscriptions that became active because their history is now fully granted. */
  activated: z.array(IdSchema),
});
export type GrantsStored = z.infer<typeof GrantsStoredSchema>;

export const UploadConfigSchema = z.object({
  blob: z.enum(['local', 's3', 'r2', 'unconfigured']),
  /** Upload targets are multipart (S3-style) rather than one resumable URL. */
  multipart: z.boolean(),
  partSize: z.number().int().positive().nullable(),
  maxPayloadBytes: SafeUintSchema,
  /** The producer's own bucket when the hub runs one bucket per producer. */
  bucket: z.string().nullable(),
  urlTtlSeconds: z.number().int().positive(),
});
export type UploadConfig = z.infer<typeof UploadConfigSchema>;
