/**
 * @module protocol/manifest
 * The release manifest: what a producer signs about one encrypted file
 * (spec/manifest.md is normative). Strict objects: a v1 manifest has exactly
 * these fields, so the bytes a verifier canonicalizes are the bytes the
 * producer signed; a new field means a new `v`.
 */
import { z } from 'zod';
import { Ed25519PublicKeySchema, Ed25519SignatureSchema, IdSchema, SafeUintSchema, SchemaVersionSchema, Sha256HexSchema, TimestampSchema } from './common.js';

export const MANIFEST_VERSION = 1;

export const ManifestSchema = z.strictObject({
  v: z.literal(MANIFEST_VERSION),
  datasetId: IdSchema,
  releaseId: IdSchema,
  /** Bytes of the age payload (the blob, without any header). */
  payloadSize: SafeUintSchema,
  payloadSha256: Sha256HexSchema,
  /** Bytes of the plaintext file as the producer had it (compressed if it was). */
  plaintextSize: SafeUintSchema,
  plaintextSha256: Sha256HexSchema,
  recordCount: SafeUintSchema,
  schemaVersion: SchemaVersionSchema,
  createdAt: TimestampSchema,
  /** The producer's signing key; verifiers also check it is the one they expect. */
  producerKey: Ed25519PublicKeySchema,
});
export type Manifest = z.infer<typeof ManifestSchema>;

export const SignedManifestSchema = z.strictObject({
  manifest: ManifestSchema,
  signature: Ed25519SignatureSchema,
});
export type SignedManifest = z.infer<typeof SignedManifestSchema>;
