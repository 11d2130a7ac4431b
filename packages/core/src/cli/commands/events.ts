/**
 * @module cli/commands/events
 * `dme events [--follow] [--after ID] [--json]`: the events visible to this
 * account, from the hub's event stream. Without --follow it prints the
 * backlog (everything after --after, default the whole log) and stops when
 * the hub says it has caught up; with --follow it keeps printing live events,
 * reconnecting by itself (sdk/events), until interrupted.
 */
import type { DmeEvent } from '../../protocol/event.js';
import { EventEnvelopeSchema, EventIdSchema } from '../../protocol/event.js';
import { events, parseSse } from '../../sdk/events.js';
import { parse } from '../args.js';
import { CliError, UsageError } from '../errors.js';
import { requireLogin, withHub } from '../hub-io.js';
import { line, type Io } from '../io.js';

export const EVENTS_HELP = `Show the events of your datasets and subscriptions.

usage: dme events [--follow] [--after ID] [--json]

  --follow     keep the stream open and print events as they happen (Ctrl-C to stop)
  --after ID   start after this event id (default: the beginning of the log)
  --json       one JSON event envelope per line`;

const USAGE = 'dme events [--follow] [--after ID] [--json]';

export function describeEvent(e: { id: string; type: string; createdAt: string; data: unknown }): string {
  const d = (e.data ?? {}) as Record<string, unknown>;
  const parts = [e.id.padStart(6), e.createdAt, e.type];
  for (const k of ['datasetId', 'releaseId', 'subscriptionId', 'consumerId', 'status', 'recordCount', 'url', 'lastError']) {
    if (d[k] !== undefined) parts.push(`${k}=${String(d[k])}`);
  }
  return parts.join('  ');
}

export async function eventsCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, { follow: { type: 'boolean' }, after: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
  if (values.after !== undefined && !EventIdSchema.safeParse(values.after).success) throw new UsageError(`--after must be an event id (a decimal integer)\nusage: ${USAGE}`);
  const print = (e: { id: string; type: string; createdAt: string; data: unknown }) => line(io.stdout, values.json ? JSON.stringify(e) : describeEvent(e));
  return withHub(io, async (c) => {
    requireLogin(c);
    if (values.follow) {
      const ctl = new AbortController();
      const stop = () => ctl.abort();
      process.once('SIGINT', stop);
      try {
        for await (const e of events({ baseUrl: c.config.hubUrl, fetch: c.session.fetch }, { signal: ctl.signal, ...(values.after ? { after: values.after } : {}) })) {
          print(e as DmeEvent);
        }
      } finally {
        process.off('SIGINT', stop);
      }
      return 0;
    }
    const ctl = new AbortController();
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (values.after) headers['last-event-id'] = values.after;
    const res = await c.session.fetch(`${c.config.hubUrl}/v1/events`, { headers, signal: ctl.signal });
    if (!res.ok || !res.body) throw new CliError(`the hub refused the event stream (HTTP ${res.status}): ${(await res.text()).slice(0, 300)}`);
    let caughtUp = false;
    try {
      for await (const msg of parseSse(res.body, undefined, (comment) => {
        if (comment === 'caught-up') {
          caughtUp = true;
          ctl.abort();
        }
      })) {
        const env = EventEnvelopeSchema.safeParse(JSON.parse(msg.data));
        if (env.success) print(env.data);
      }
    } catch (err) {
      if (!caughtUp) throw err;
    }
    return 0;
  });
}
