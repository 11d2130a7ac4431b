/**
 * @module shared/events
 * The push channel: typed events the engine sends to the UI (IPC `dme:event`
 * in Electron, `GET /api/events` SSE in browser mode). Fire-and-forget: a UI
 * that missed one re-reads state with the matching method (sync.state,
 * publish.queue, sync.arrivals), so no event carries the only copy of a fact.
 */
import { z } from 'zod';
import * as m from './models.js';
import { ApiErrorSchema } from './result.js';

/** Screens an event can ask the UI to open (notification clicks). */
export const Route = z.discriminatedUnion('screen', [
  z.object({ screen: z.literal('data'), table: z.string(), datasetId: m.Id.optional() }),
  z.object({ screen: z.literal('catalog'), datasetId: m.Id.optional() }),
  z.object({ screen: z.literal('subscriptions') }),
  z.object({ screen: z.literal('publish'), datasetId: m.Id.optional() }),
  z.object({ screen: z.literal('subscribers') }),
  z.object({ screen: z.literal('settings') }),
]);
export type Route = z.infer<typeof Route>;

export const DesktopEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('session'), status: m.SessionStatus }),
  z.object({ type: z.literal('sync.state'), state: m.SyncState }),
  /** Per-file transfer progress: uploads (publish) and downloads (sync). */
  z.object({
    type: z.literal('transfer'),
    id: z.string(),
    direction: z.enum(['upload', 'download']),
    datasetId: m.Id,
    fileName: z.string(),
    bytesDone: m.Count,
    bytesTotal: m.Count,
    done: z.boolean(),
  }),
  z.object({ type: z.literal('import.progress'), datasetId: m.Id, releaseId: m.Id, rows: m.Count, done: z.boolean() }),
  /** A release was imported: the UI notifies "<producer> published <dataset>: N records". */
  z.object({ type: z.literal('imported'), arrival: m.Arrival }),
  z.object({ type: z.literal('publish.queue'), items: z.array(m.QueueItem) }),
  /** A new subscription request for one of my datasets (producer side). */
  z.object({ type: z.literal('subscribers.changed') }),
  /** The catalog or my subscriptions changed (approval, new dataset...). */
  z.object({ type: z.literal('subscriptions.changed') }),
  /** Something failed in the background, in the user's words. */
  z.object({ type: z.literal('error'), error: ApiErrorSchema, context: z.string().optional() }),
  /** Open a screen (Electron: a notification was clicked). */
  z.object({ type: z.literal('navigate'), route: Route }),
]);
export type DesktopEvent = z.infer<typeof DesktopEventSchema>;
export type DesktopEventType = DesktopEvent['type'];

/** The notification text for an arrival, the same in Electron and in the browser. */
export function arrivalText(a: m.Arrival): { title: string; body: string } {
  const n = a.rows.toLocaleString('en-US');
  return { title: 'New data', body: `${a.producer} published ${a.datasetName}: ${n} ${a.rows === 1 ? 'record' : 'records'}` };
}
