/**
 * @module store/admin-webhooks
 * Webhook health for administrators (/v1/admin/webhooks): every account's
 * webhook with its delivery figures, keyset paged by id, and re-enabling a
 * webhook the delivery worker disabled. Re-enabling writes its audit entry
 * in the same transaction and, like the owner's own re-enable, moves
 * `fromEventId` to the newest event: the webhook receives later events only
 * (the owner can redeliver what failed).
 */
import type { AttemptRecord, DeliveryStatus, WebhookRecord } from './deliveries.js';
import type { Effects } from './ledger.js';

export interface RecentDelivery {
  id: string;
  type: string;
  status: DeliveryStatus;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  /** The newest attempt, if any was made. */
  lastAttempt: AttemptRecord | null;
}

export interface WebhookHealthRecord {
  webhook: WebhookRecord;
  accountEmail: string;
  /** Deliveries that ended failed (retries exhausted or the webhook was disabled) since `since`. */
  failedSince: number;
  succeededSince: number;
  /** Deliveries waiting for a (re)try. */
  pending: number;
  lastSuccessAt: string | null;
  /** When a delivery last failed for good or last had a failed attempt (still retrying). */
  lastFailureAt: string | null;
  /** Newest first. */
  recent: RecentDelivery[];
}

export interface WebhookHealthQuery {
  enabled?: boolean;
  afterId?: string;
  limit: number;
  /** Start of the window of `failedSince` / `succeededSince` (ISO). */
  since: string;
  /** How many recent deliveries per webhook. */
  recent: number;
}

export interface AdminWebhookStore {
  listHealth(query: WebhookHealthQuery): Promise<WebhookHealthRecord[]>;
  get(id: string): Promise<WebhookRecord | null>;
  /** Enables a disabled webhook and clears its failure count; null if it is unknown or already enabled (nothing written). */
  enable(id: string, now: string, effects: Effects): Promise<WebhookRecord | null>;
}
