/**
 * @module webhooks/dispatch
 * Turns new events into pending deliveries: for every event after the
 * dispatcher's cursor and every enabled webhook created before it, a
 * delivery if the webhook's owner may see the event (events/visibility).
 * The deliveries and the cursor move commit together (store.dispatch), so
 * after a crash the same events are dispatched again, never half.
 */
import type { IdSource } from '../deps.js';
import { canSee, changesReceiving, eventEnvelope, receivingDatasets } from '../events/visibility.js';
import type { NewDelivery } from '../store/deliveries.js';
import type { Store } from '../store/types.js';

const PAGE = 200;
const MAX_PAGES = 100;

/** Dispatches what is pending; returns the number of deliveries created. */
export async function dispatchEvents(store: Store, ids: IdSource, now: string): Promise<number> {
  let created = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { cursor, events } = await store.webhooks.undispatched(PAGE);
    if (events.length === 0) break;
    const hooks = await store.webhooks.listEnabled();
    const datasets = new Map<string, Set<string>>();
    const deliveries: NewDelivery[] = [];
    for (const e of events) {
      for (const h of hooks) {
        if (e.id <= h.fromEventId) continue;
        if (changesReceiving(e, h.accountId)) datasets.delete(h.accountId);
        let ds = datasets.get(h.accountId);
        if (!ds) {
          ds = await receivingDatasets(store.subscriptions, h.accountId);
          datasets.set(h.accountId, ds);
        }
        if (!canSee({ accountId: h.accountId, admin: false, datasets: ds }, e)) continue;
        deliveries.push({
          id: ids.id('whd'),
          webhookId: h.id,
          messageId: String(e.id),
          eventId: e.id,
          type: e.type,
          body: JSON.stringify(eventEnvelope(e)),
          nextAttemptAt: now,
          redeliveryOf: null,
          createdAt: now,
        });
      }
    }
    // Another dispatcher moved the cursor first: it delivered this page; read on from where it is.
    if (await store.webhooks.dispatch(cursor, events[events.length - 1]!.id, deliveries)) created += deliveries.length;
    if (events.length < PAGE) break;
  }
  return created;
}
