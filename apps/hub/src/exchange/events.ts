/**
 * @module exchange/events
 * Event rows the exchange appends to the outbox with its changes. Payloads
 * follow protocol/event.ts (`data` of each event type). Subscription events
 * are scoped to the consumer's account; the dataset's producer sees them
 * through `dataset_id` (the event routes decide visibility).
 */
import type { SubscriptionStatus } from '@dme/core/protocol';
import type { NewEvent } from '../store/ledger.js';
import type { SubscriptionRecord } from '../store/subscriptions.js';

export type SubscriptionEventType =
  | 'SUBSCRIPTION_REQUESTED'
  | 'SUBSCRIPTION_APPROVED'
  | 'SUBSCRIPTION_ACTIVATED'
  | 'SUBSCRIPTION_REJECTED'
  | 'SUBSCRIPTION_SUSPENDED'
  | 'SUBSCRIPTION_REINSTATED'
  | 'SUBSCRIPTION_CANCELLED';

export function subscriptionEvent(type: SubscriptionEventType, s: SubscriptionRecord, status: SubscriptionStatus, now: string, reason?: string): NewEvent {
  return {
    type,
    datasetId: s.datasetId,
    accountId: s.consumerId,
    createdAt: now,
    payload: { subscriptionId: s.id, datasetId: s.datasetId, consumerId: s.consumerId, producerId: s.producerId, status, ...(reason ? { reason } : {}) },
  };
}

/** History grants are owed: the producer's client should fulfil them. Scoped to the producer. */
export function grantsPendingEvent(s: SubscriptionRecord, count: number, now: string): NewEvent {
  return {
    type: 'GRANTS_PENDING',
    datasetId: s.datasetId,
    accountId: s.producerId,
    createdAt: now,
    payload: { subscriptionId: s.id, datasetId: s.datasetId, consumerId: s.consumerId, count },
  };
}
