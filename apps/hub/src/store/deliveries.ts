/**
 * @module store/deliveries
 * Storage interface of event delivery: webhooks, their deliveries and the
 * attempt log, and the dispatcher's cursor over the events table. Each
 * method is one atomic change (D1 has no interactive transactions):
 * `dispatch` moves the cursor and inserts deliveries together, and only if
 * the cursor is still where the caller read it, so two dispatchers cannot
 * both deliver an event.
 */
import type { Effects, EventRecord } from './ledger.js';

export interface WebhookRecord {
  id: string;
  accountId: string;
  url: string;
  /** `whsec_…`: the hub must sign with it, so it is stored, never returned after creation. */
  secret: string;
  enabled: boolean;
  /** Events with a larger id are delivered. */
  fromEventId: number;
  consecutiveFailures: number;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookUpsert {
  /** Used only when the account has no webhook yet. */
  id: string;
  accountId: string;
  url: string;
  enabled: boolean;
  /** Replaces the secret; required when creating. */
  secret?: string;
  now: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface NewDelivery {
  id: string;
  webhookId: string;
  messageId: string;
  eventId: number | null;
  type: string;
  body: string;
  nextAttemptAt: string;
  redeliveryOf: string | null;
  createdAt: string;
}

export interface AttemptRecord {
  attempt: number;
  time: string;
  ok: boolean;
  latencyMs: number;
  responseCode: number | null;
  error: string | null;
}

export interface DeliveryRecord extends Omit<NewDelivery, 'nextAttemptAt'> {
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  updatedAt: string;
}

/** A due delivery with what sending it needs. */
export interface DueDelivery extends DeliveryRecord {
  url: string;
  secret: string;
  accountId: string;
}

export interface AttemptResult {
  deliveryId: string;
  webhookId: string;
  attempt: AttemptRecord;
  /** 'pending' with `nextAttemptAt` to retry; 'succeeded' or 'failed' to finish. */
  status: DeliveryStatus;
  nextAttemptAt: string | null;
  /** Disable the webhook (retries exhausted); its other pending deliveries fail. Effects carry audit + WEBHOOK_DISABLED. */
  disable?: { reason: string; effects: Effects };
}

export interface WebhookStore {
  getByAccount(accountId: string): Promise<WebhookRecord | null>;
  /** Creates or updates the account's webhook; enabling (or creating) moves `fromEventId` to the newest event. */
  upsert(input: WebhookUpsert): Promise<WebhookRecord>;
  listEnabled(): Promise<WebhookRecord[]>;
  /** The dispatcher's cursor and up to `limit` events after it. */
  undispatched(limit: number): Promise<{ cursor: number; events: EventRecord[] }>;
  /** Inserts `deliveries` and moves the cursor `from` → `to`; false (nothing written) if the cursor moved. */
  dispatch(from: number, to: number, deliveries: NewDelivery[]): Promise<boolean>;
  /** Inserts one delivery (test ping, redelivery). */
  enqueue(delivery: NewDelivery): Promise<void>;
  /** Pending deliveries of enabled webhooks due at `now`, oldest due first. */
  due(now: string, limit: number): Promise<DueDelivery[]>;
  /** The earliest due time of a pending delivery of an enabled webhook, or null. */
  nextDueAt(): Promise<string | null>;
  /** Logs an attempt and moves the delivery (and the webhook's failure count) on, in one transaction. */
  recordAttempt(result: AttemptResult, now: string): Promise<void>;
  getDelivery(webhookId: string, id: string): Promise<DeliveryRecord | null>;
  /** Newest first, with their attempts (oldest attempt first). */
  listDeliveries(webhookId: string, limit: number): Promise<(DeliveryRecord & { log: AttemptRecord[] })[]>;
  /** Newest event id in the log (0 when empty). */
  lastEventId(): Promise<number>;
}
