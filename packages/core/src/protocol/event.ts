/**
 * @module protocol/event
 * Events of the durable, ordered event log (the outbox), as delivered on the
 * SSE stream (`/v1/events`, resumable with Last-Event-ID) and to webhooks.
 * `id` is the log position: a decimal integer string, strictly increasing,
 * so "resume after id N" is well defined; receivers de-duplicate by id
 * (delivery is at-least-once). A DATA_PUBLISHED event names a release, never
 * a storage URL: URLs are minted per download, short-lived and per consumer.
 */
import { z } from 'zod';
import { ChecksumSchema, IdSchema, SafeUintSchema, SchemaVersionSchema, TimestampSchema } from './common.js';
import { CoverageSchema } from './dataset.js';
import { FileFormatSchema } from './profile.js';
import { SubscriptionStatusSchema } from './subscription.js';

/** Decimal, no leading zeros, ≤ 2^53 − 1 so it round-trips through JSON numbers too. */
export const EventIdSchema = z
  .string()
  .regex(/^(?:0|[1-9][0-9]{0,15})$/, 'event ids are decimal integers')
  .refine((s) => Number.isSafeInteger(Number(s)), 'event id out of range');
export type EventId = z.infer<typeof EventIdSchema>;

/** Orders two event ids numerically (string order is wrong for 9 < 10). */
export function compareEventIds(a: EventId, b: EventId): number {
  return Number(a) - Number(b);
}

export const DataPublishedSchema = z.object({
  producerId: IdSchema,
  datasetId: IdSchema,
  /** The seed's fileLocation, as a release reference. */
  releaseId: IdSchema,
  /** Payload bytes (what will be downloaded). */
  fileSize: SafeUintSchema,
  recordCount: SafeUintSchema,
  /** Publication time. */
  timestamp: TimestampSchema,
  /** `sha256:<hex>` of the payload; the signed manifest also covers the plaintext. */
  checksum: ChecksumSchema,
  schemaVersion: SchemaVersionSchema,
  /** Open object: new keys may appear; receivers ignore what they do not know. */
  metadata: z.looseObject({
    dataType: z.string().optional(),
    coverage: CoverageSchema.optional(),
    format: FileFormatSchema.optional(),
    datasetName: z.string().optional(),
  }),
});

export const SubscriptionEventDataSchema = z.object({
  subscriptionId: IdSchema,
  datasetId: IdSchema,
  consumerId: IdSchema,
  producerId: IdSchema,
  /** Status after the event. */
  status: SubscriptionStatusSchema,
  reason: z.string().max(1000).optional(),
});

export const FreshnessEventDataSchema = z.object({
  datasetId: IdSchema,
  producerId: IdSchema,
  /** When a release was due (last release + interval + grace). */
  expectedBy: TimestampSchema,
  /** Newest release before the event; null if the dataset never had one. */
  lastReleaseAt: TimestampSchema.nullable(),
});

export const WebhookDisabledSchema = z.object({
  webhookId: IdSchema,
  url: z.string(),
  failureCount: z.number().int().nonnegative(),
  lastError: z.string().max(500).optional(),
});

/** History grants wait for the producer's client (approval happened without the producer key). */
export const GrantsPendingSchema = z.object({
  subscriptionId: IdSchema,
  datasetId: IdSchema,
  consumerId: IdSchema,
  count: z.number().int().positive(),
});

export const SUBSCRIPTION_EVENT_TYPES = [
  'SUBSCRIPTION_REQUESTED',
  'SUBSCRIPTION_APPROVED',
  'SUBSCRIPTION_ACTIVATED',
  'SUBSCRIPTION_REJECTED',
  'SUBSCRIPTION_SUSPENDED',
  'SUBSCRIPTION_REINSTATED',
  'SUBSCRIPTION_CANCELLED',
] as const;

const envelope = { id: EventIdSchema, createdAt: TimestampSchema };
const variant = <T extends string, D extends z.ZodType>(type: T, data: D) => z.object({ ...envelope, type: z.literal(type), data });

export const EventSchema = z.discriminatedUnion('type', [
  variant('DATA_PUBLISHED', DataPublishedSchema),
  ...SUBSCRIPTION_EVENT_TYPES.map((t) => variant(t, SubscriptionEventDataSchema)),
  variant('DATA_LATE', FreshnessEventDataSchema),
  variant('DATA_RESUMED', FreshnessEventDataSchema),
  variant('GRANTS_PENDING', GrantsPendingSchema),
  variant('WEBHOOK_DISABLED', WebhookDisabledSchema),
]);
export type DmeEvent = z.infer<typeof EventSchema>;
export type EventType = DmeEvent['type'];
export type EventOf<T extends EventType> = Extract<DmeEvent, { type: T }>;

export const EVENT_TYPES = EventSchema.options.map((o) => o.shape.type.value) as EventType[];

/** Any envelope, known type or not: lets old clients skip types added later. */
export const EventEnvelopeSchema = z.object({ ...envelope, type: z.string().min(1), data: z.unknown() });

/** Parses a known event; null for a well-formed envelope of an unknown type; throws ZodError otherwise. */
export function parseEvent(value: unknown): DmeEvent | null {
  const env = EventEnvelopeSchema.parse(value);
  if (!(EVENT_TYPES as string[]).includes(env.type)) return null;
  return EventSchema.parse(value);
}
