/**
 * @module events/visibility
 * Who may see an event, on the stream and through webhooks:
 *   - an admin sees everything;
 *   - an event scoped to an account (`accountId`) is seen by that account;
 *   - subscription events are also seen by the dataset's producer (payload.producerId);
 *   - dataset-wide events (DATA_PUBLISHED, DATA_LATE, …; `accountId` null) are
 *     seen by the producer and by consumers whose subscription to the dataset
 *     is approved or active *now* (a suspended or cancelled consumer sees none).
 */
import { SUBSCRIPTION_EVENT_TYPES } from '@dme/core/protocol';
import type { EventRecord } from '../store/ledger.js';
import type { SubscriptionStore } from '../store/subscriptions.js';

export interface Viewer {
  accountId: string;
  admin: boolean;
  /** Datasets the viewer currently receives data of (approved or active subscriptions). */
  datasets: ReadonlySet<string>;
}

const SUBSCRIPTION_TYPES: ReadonlySet<string> = new Set(SUBSCRIPTION_EVENT_TYPES);

export function isSubscriptionEvent(e: EventRecord): boolean {
  return SUBSCRIPTION_TYPES.has(e.type);
}

export function canSee(viewer: Viewer, e: EventRecord): boolean {
  if (viewer.admin) return true;
  if (e.accountId === viewer.accountId) return true;
  const producerId = typeof e.payload.producerId === 'string' ? e.payload.producerId : undefined;
  if (isSubscriptionEvent(e)) return producerId === viewer.accountId;
  if (e.accountId !== null) return false;
  if (producerId === viewer.accountId) return true;
  return e.datasetId !== null && viewer.datasets.has(e.datasetId);
}

/** Datasets the account receives data of now. */
export async function receivingDatasets(subscriptions: SubscriptionStore, accountId: string): Promise<Set<string>> {
  const subs = await subscriptions.listByConsumer(accountId);
  return new Set(subs.filter((s) => s.status === 'active' || s.status === 'approved').map((s) => s.datasetId));
}

/** True when `e` may change what `accountId` receives (its own subscription moved). */
export function changesReceiving(e: EventRecord, accountId: string): boolean {
  return isSubscriptionEvent(e) && e.payload.consumerId === accountId;
}

/** The wire form of an event (protocol/event.ts envelope). */
export function eventEnvelope(e: EventRecord): { id: string; type: string; createdAt: string; data: Record<string, unknown> } {
  return { id: String(e.id), type: e.type, createdAt: e.createdAt, data: e.payload };
}
