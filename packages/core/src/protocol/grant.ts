/**
 * @module protocol/grant
 * Key grants: for one release and one recipient, a complete age header that
 * wraps the release's file key for that recipient alone (DESIGN §2). Header
 * + payload is a valid age file. The hub stores grants but cannot open them.
 * A pending grant records that a subscriber is owed a grant for a historical
 * release and waits for a producer client holding the producer identity.
 */
import { z } from 'zod';
import { AgeRecipientSchema, Base64Schema, IdSchema, TimestampSchema } from './common.js';

/** base64 of "age-encryption.org/v1" (21 bytes, so it is a clean 28-char prefix). */
export const AGE_HEADER_BASE64_PREFIX = 'YWdlLWVuY3J5cHRpb24ub3JnL3Yx';
/** One X25519 stanza plus MAC is ~200 bytes; the cap leaves room for other stanza types. */
export const MAX_AGE_HEADER_BASE64 = 8192;

export const AgeHeaderSchema = Base64Schema.max(MAX_AGE_HEADER_BASE64).refine(
  (s) => s.startsWith(AGE_HEADER_BASE64_PREFIX),
  'must be the base64 of an age v1 header (age-encryption.org/v1 …)',
);

export const KeyGrantSchema = z.object({
  releaseId: IdSchema,
  recipientAccountId: IdSchema,
  recipient: AgeRecipientSchema,
  header: AgeHeaderSchema,
  createdAt: TimestampSchema,
});
export type KeyGrant = z.infer<typeof KeyGrantSchema>;

/** A grant as a producer client submits it (at publish, or fulfilling pending ones). */
export const KeyGrantInputSchema = z.strictObject({
  recipientAccountId: IdSchema,
  recipient: AgeRecipientSchema,
  header: AgeHeaderSchema,
});
export type KeyGrantInput = z.infer<typeof KeyGrantInputSchema>;

export const PendingGrantSchema = z.object({
  subscriptionId: IdSchema,
  datasetId: IdSchema,
  releaseId: IdSchema,
  recipientAccountId: IdSchema,
  /** The subscriber's recipient at approval time; a client re-checks it before wrapping. */
  recipient: AgeRecipientSchema,
  createdAt: TimestampSchema,
});
export type PendingGrant = z.infer<typeof PendingGrantSchema>;

/** POST body fulfilling pending grants: one wrapped header per (release, recipient). */
export const GrantFulfilmentSchema = z.strictObject({
  grants: z
    .array(KeyGrantInputSchema.extend({ releaseId: IdSchema }))
    .min(1)
    .max(1000),
});
export type GrantFulfilment = z.infer<typeof GrantFulfilmentSchema>;
