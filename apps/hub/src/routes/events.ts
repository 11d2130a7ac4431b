/**
 * @module routes/events
 * GET /v1/events: the live event stream (Server-Sent Events). Credentials in
 * the Authorization header only (a token in the query string would end up in
 * logs). Resumes after `Last-Event-ID` (or `?after=`; the header wins);
 * without either it starts at the beginning of the log. Each event is one
 * `id:` + `data:` message whose data is the protocol envelope; idle streams
 * get `: heartbeat` comment lines. A `: caught-up` comment follows the
 * backlog once, so a client that only wants the backlog knows when to stop.
 *
 * No gap, no duplicate: the stream registers with the feed BEFORE reading
 * the backlog, then after every wake-up reads again after the last id it
 * handled, so an event committed while the backlog was read is picked up by
 * the next read, and nothing at or below the cursor is sent twice.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { EventIdSchema, EventStreamQuerySchema } from '@dme/core/protocol';
import { requireAuth } from '../auth/middleware.js';
import type { HubDeps } from '../deps.js';
import { HubError } from '../errors.js';
import { eventRuntime } from '../events/runtime.js';
import { canSee, changesReceiving, eventEnvelope, receivingDatasets } from '../events/visibility.js';
import type { Viewer } from '../events/visibility.js';
import { authErrorResponses, bearerSecurity, newRouter } from '../openapi.js';

const BATCH = 200;

const stream = createRoute({
  method: 'get',
  path: '/',
  tags: ['events'],
  summary: 'Live event stream (SSE), resumable with Last-Event-ID',
  security: bearerSecurity,
  request: {
    query: EventStreamQuerySchema,
    headers: z.object({ 'last-event-id': EventIdSchema.optional() }),
  },
  responses: {
    200: { description: 'text/event-stream: `id:` is the event id, `data:` the event envelope (protocol/event.ts)', content: { 'text/event-stream': { schema: z.string() } } },
    ...authErrorResponses,
  },
});

export function eventRoutes(deps: HubDeps) {
  const app = newRouter();
  app.use('*', requireAuth(deps));
  return app.openapi(stream, async (c) => {
    const caller = c.var.caller;
    const { after } = c.req.valid('query');
    const lastEventId = c.req.valid('header')['last-event-id'];
    const start = Number(lastEventId ?? after ?? '0');
    if (!Number.isSafeInteger(start)) throw new HubError('VALIDATION_FAILED', 'bad event id');
    const rt = eventRuntime(deps.store);
    if (rt.closed) throw new HubError('UNAVAILABLE', 'the hub is shutting down; reconnect shortly', { headers: { 'Retry-After': '1', Connection: 'close' } });
    const viewer: Viewer = { accountId: caller.accountId, admin: caller.features.includes('ADMIN'), datasets: await receivingDatasets(deps.store.subscriptions, caller.accountId) };

    return streamSSE(c, async (sse) => {
      let cursor = start;
      let pending = true;
      let ended = false;
      let wake: (() => void) | undefined;
      const poke = () => {
        pending = true;
        wake?.();
      };
      const end = () => {
        ended = true;
        wake?.();
      };
      const unsubscribe = rt.feed.subscribe(poke);
      rt.streams.add(end);
      sse.onAbort(end);
      const heartbeat = setInterval(() => {
        sse.write(': heartbeat\n\n').catch(end);
      }, rt.heartbeatMs);
      let caughtUp = false;
      try {
        await sse.write(': connected\nretry: 2000\n\n');
        while (!ended && !sse.aborted) {
          if (!pending) {
            await new Promise<void>((r) => (wake = r));
            wake = undefined;
            continue;
          }
          pending = false;
          for (let more = true; more && !ended; ) {
            const batch = await rt.feed.after(cursor, BATCH);
            more = batch.length === BATCH;
            for (const e of batch) {
              if (changesReceiving(e, viewer.accountId)) viewer.datasets = await receivingDatasets(deps.store.subscriptions, viewer.accountId);
              if (canSee(viewer, e)) await sse.writeSSE({ id: String(e.id), data: JSON.stringify(eventEnvelope(e)) });
              cursor = e.id;
            }
          }
          if (!caughtUp) {
            caughtUp = true;
            await sse.write(': caught-up\n\n');
          }
        }
      } finally {
        clearInterval(heartbeat);
        unsubscribe();
        rt.streams.delete(end);
      }
    });
  });
}
