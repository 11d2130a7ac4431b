/**
 * @module protocol/api-ledger
 * Bodies of the usage route (an account's own upload/download records) and
 * the admin audit routes (the hash-chained log and its verification).
 */
import { z } from 'zod';
import { IdSchema, SafeUintSchema, TimestampSchema } from './common.js';

export const UsageQuerySchema = z.object({
  since: TimestampSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export const UsageRecordSchema = z.object({
  kind: z.enum(['upload', 'download']),
  datasetId: IdSchema,
  releaseId: IdSchema,
  bytes: SafeUintSchema,
  /** Payload SHA-256 (lowercase hex); empty when not known. */
  sha256: z.string(),
  createdAt: TimestampSchema,
});
export const UsageListSchema = z.object({ items: z.array(UsageRecordSchema) });
export type UsageList = z.infer<typeof UsageListSchema>;

export const AuditQuerySchema = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export const AuditEntrySchema = z.object({
  seq: z.number().int().positive(),
  time: TimestampSchema,
  actor: z.string(),
  action: z.string(),
  subject: z.string(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export const AuditPageSchema = z.object({ items: z.array(AuditEntrySchema) });
export type AuditPage = z.infer<typeof AuditPageSchema>;

export const AuditVerdictSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), entries: SafeUintSchema, headHash: z.string() }),
  z.object({ ok: z.literal(false), entries: SafeUintSchema, seq: z.number().int().positive(), reason: z.enum(['gap', 'prev-hash', 'hash']) }),
]);
export type AuditVerdict = z.infer<typeof AuditVerdictSchema>;
