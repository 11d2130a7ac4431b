/**
 * @module protocol/release
 * Releases: one encrypted file published to a dataset. The hub issues the id
 * when an upload starts (status `uploading`); the release becomes `published`
 * only when the payload's size and SHA-256 match the signed manifest, and
 * then carries everything a consumer needs to verify it. Until then it is
 * visible to its producer only. Upload targets themselves (signed URLs,
 * multipart) are hub-specific and described by UploadTargetSchema.
 */
import { z } from 'zod';
import { IdSchema, SafeUintSchema, SchemaVersionSchema, Sha256HexSchema, TimestampSchema } from './common.js';
import { KeyGrantInputSchema } from './grant.js';
import { SignedManifestSchema } from './manifest.js';
import { FileProfileSchema } from './profile.js';

export const RELEASE_STATUSES = ['uploading', 'published', 'failed'] as const;
export const ReleaseStatusSchema = z.enum(RELEASE_STATUSES);
export type ReleaseStatus = z.infer<typeof ReleaseStatusSchema>;

const base = {
  id: IdSchema,
  datasetId: IdSchema,
  producerId: IdSchema,
  /** Declared at start; the hub refuses more bytes and checks it at completion. */
  payloadSize: SafeUintSchema,
  createdAt: TimestampSchema,
};

export const UploadingReleaseSchema = z.object({ ...base, status: z.literal('uploading') });
export const FailedReleaseSchema = z.object({
  ...base,
  status: z.literal('failed'),
  failureReason: z.string().max(500),
});
export const PublishedReleaseSchema = z
  .object({
    ...base,
    status: z.literal('published'),
    payloadSha256: Sha256HexSchema,
    plaintextSize: SafeUintSchema,
    plaintextSha256: Sha256HexSchema,
    recordCount: SafeUintSchema,
    schemaVersion: SchemaVersionSchema,
    profile: FileProfileSchema.optional(),
    manifest: SignedManifestSchema,
    publishedAt: TimestampSchema,
  })
  .refine(
    (r) =>
      r.manifest.manifest.releaseId === r.id &&
      r.manifest.manifest.datasetId === r.datasetId &&
      r.manifest.manifest.payloadSize === r.payloadSize &&
      r.manifest.manifest.payloadSha256 === r.payloadSha256 &&
      r.manifest.manifest.plaintextSize === r.plaintextSize &&
      r.manifest.manifest.plaintextSha256 === r.plaintextSha256 &&
      r.manifest.manifest.recordCount === r.recordCount &&
      r.manifest.manifest.schemaVersion === r.schemaVersion,
    { message: 'release fields disagree with its manifest', path: ['manifest'] },
  );

export const ReleaseSchema = z.discriminatedUnion('status', [UploadingReleaseSchema, PublishedReleaseSchema, FailedReleaseSchema]);
export type Release = z.infer<typeof ReleaseSchema>;
export type PublishedRelease = z.infer<typeof PublishedReleaseSchema>;

/** Start an upload: POST /producer/datasets/{id}/releases. */
export const ReleaseCreateSchema = z.strictObject({
  payloadSize: SafeUintSchema,
});
export type ReleaseCreate = z.infer<typeof ReleaseCreateSchema>;

/** Where to put the payload: one PUT, or parts for large files (multipart, resumable). */
export const UploadTargetSchema = z.object({
  releaseId: IdSchema,
  expiresAt: TimestampSchema,
  upload: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('single'), url: z.string().min(1), headers: z.record(z.string(), z.string()).default({}) }),
    z.object({
      kind: z.literal('multipart'),
      partSize: z.number().int().positive(),
      parts: z.array(z.object({ partNumber: z.number().int().min(1).max(10_000), url: z.string().min(1) })).min(1),
    }),
  ]),
});
export type UploadTarget = z.infer<typeof UploadTargetSchema>;

/** Complete an upload: the signed manifest, the grants to store atomically with it, the profile. */
export const ReleaseCompleteSchema = z.strictObject({
  manifest: SignedManifestSchema,
  grants: z.array(KeyGrantInputSchema).min(1).max(10_000),
  profile: FileProfileSchema.optional(),
  /** ETags of multipart parts, in part order, when the target was multipart. */
  parts: z.array(z.object({ partNumber: z.number().int().min(1).max(10_000), etag: z.string().min(1) })).optional(),
});
export type ReleaseComplete = z.infer<typeof ReleaseCompleteSchema>;
