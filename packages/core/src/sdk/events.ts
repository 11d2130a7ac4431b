/**
 * @module sdk/events
 * `events()`: the hub's event stream (GET /v1/events, Server-Sent Events) as
 * an async iterator, over fetch + ReadableStream (web-standard; EventSource
 * cannot send an Authorization header). It reconnects by itself with
 * exponential backoff and jitter, resuming with `Last-Event-ID` after the
 * last event it handed out, and persists that cursor through `cursorStore`
 * so a restarted program resumes too.
 *
 * Cursor rule: an event counts as handled once the loop body that received
 * it finishes (the next `next()` call) or leaves the loop (`break`/`return`);
 * only then is its id saved. Ids only grow: an event at or below the cursor
 * (a replay) is skipped, so the iterator yields each id at most once.
 * Auth and validation failures (401/403/400) are not retried: they throw
 * EventStreamError. Nor is an error of the fetch function's own (anything
 * but a transport failure, client-http's isTransportFailure, such as a
 * session whose login ended): thrown as is.
 */
import { EventEnvelopeSchema, parseEvent } from '../protocol/event.js';
import type { DmeEvent } from '../protocol/event.js';
import { isTransportFailure, type Credential } from './client-http.js';
import { readOrAbort } from './abortable-read.js';

export interface EventsClientOptions {
  baseUrl: string;
  fetch?: typeof fetch;
  /** Access token or API key, or a function returning the current one (a refreshed token on reconnect). */
  credential?: Credential;
}

export interface CursorStore {
  load(): Promise<string | undefined>;
  save(id: string): Promise<void>;
}

export interface EventsOptions {
  /** Resume after this id when the cursor store holds none. */
  after?: string;
  cursorStore?: CursorStore;
  signal?: AbortSignal;
  /** First reconnect delay (default 500 ms); doubles per failure up to `maxBackoffMs` (30 s), ± 25 % jitter. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Reconnect when nothing (not even a heartbeat) arrived for this long (default 45 s). */
  idleTimeoutMs?: number;
  /** Called before each reconnect (logging, tests). */
  onReconnect?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

export type EventStreamErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_REQUEST' | 'ABORTED';

export class EventStreamError extends Error {
  override readonly name = 'EventStreamError';
  constructor(
    readonly code: EventStreamErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

interface SseMessage {
  id: string | undefined;
  data: string;
}

/** Splits an SSE byte stream into messages (WHATWG "event stream interpretation"); comments only reset the idle timer. */
export async function* parseSse(
  body: ReadableStream<Uint8Array>,
  onActivity: () => void = () => {},
  onComment: (text: string) => void = () => {},
  signal?: AbortSignal,
): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  let data: string[] = [];
  let id: string | undefined;
  try {
    for (;;) {
      const { value, done } = await readOrAbort(reader, signal);
      if (done) return;
      onActivity();
      buf += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + (buf[nl] === '\r' && buf[nl + 1] === '\n' ? 2 : 1));
        if (line === '') {
          if (data.length > 0) yield { id, data: data.join('\n') };
          data = [];
          continue;
        }
        if (line.startsWith(':')) {
          onComment(line.slice(1).trim());
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let v = colon < 0 ? '' : line.slice(colon + 1);
        if (v.startsWith(' ')) v = v.slice(1);
        if (field === 'data') data.push(v);
        else if (field === 'id' && !v.includes('\0')) id = v;
      }
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => undefined);
  }
}

async function credentialOf(c: Credential): Promise<string | undefined> {
  return typeof c === 'function' ? await c() : c;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Async iterator of the events visible to the credential's account. */
export async function* events(client: EventsClientOptions, opts: EventsOptions = {}): AsyncGenerator<DmeEvent> {
  const doFetch = client.fetch ?? fetch;
  const base = client.baseUrl.replace(/\/+$/, '');
  let cursor = (await opts.cursorStore?.load()) ?? opts.after;
  let handled: string | undefined;
  const commit = async () => {
    if (handled !== undefined && opts.cursorStore) await opts.cursorStore.save(handled);
    handled = undefined;
  };
  let failures = 0;
  try {
    while (!opts.signal?.aborted) {
      const ctl = new AbortController();
      const onAbort = () => ctl.abort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      let idle: ReturnType<typeof setTimeout> | undefined;
      const touch = () => {
        if (idle) clearTimeout(idle);
        idle = setTimeout(() => ctl.abort(new Error('stream idle')), opts.idleTimeoutMs ?? 45_000);
      };
      let error: unknown;
      let refused = false;
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream' };
        const token = await credentialOf(client.credential);
        if (token) headers.authorization = `Bearer ${token}`;
        if (cursor !== undefined) headers['last-event-id'] = cursor;
        touch();
        const res = await doFetch(`${base}/v1/events`, { headers, signal: ctl.signal }).catch((err: unknown) => {
          refused = !isTransportFailure(err) && !ctl.signal.aborted;
          throw err;
        });
        if (res.status === 401 || res.status === 403 || res.status === 400) {
          const text = await res.text().catch(() => '');
          const code = res.status === 401 ? 'UNAUTHENTICATED' : res.status === 403 ? 'FORBIDDEN' : 'BAD_REQUEST';
          throw new EventStreamError(code, `event stream refused (HTTP ${res.status}): ${text.slice(0, 300)}`, res.status);
        }
        if (!res.ok || !res.body) throw new Error(`event stream answered HTTP ${res.status}`);
        for await (const msg of parseSse(res.body, touch, undefined, ctl.signal)) {
          failures = 0;
          if (msg.id === undefined) continue;
          if (cursor !== undefined && Number(msg.id) <= Number(cursor)) continue;
          cursor = msg.id;
          const env = EventEnvelopeSchema.safeParse(JSON.parse(msg.data));
          const event = env.success ? parseEvent(env.data) : null;
          if (event) {
            handled = msg.id;
            yield event;
          } else handled = msg.id; // unknown or malformed: skipped, but past it
          await commit();
        }
      } catch (err) {
        if (err instanceof EventStreamError || refused) throw err;
        error = err;
      } finally {
        if (idle) clearTimeout(idle);
        opts.signal?.removeEventListener('abort', onAbort);
        ctl.abort();
      }
      if (opts.signal?.aborted) break;
      failures++;
      const ceiling = Math.min(opts.maxBackoffMs ?? 30_000, (opts.backoffMs ?? 500) * 2 ** Math.min(failures - 1, 16));
      const delayMs = Math.round(ceiling * (0.75 + Math.random() * 0.5));
      opts.onReconnect?.({ attempt: failures, delayMs, error: error ?? new Error('stream ended') });
      await sleep(delayMs, opts.signal);
    }
  } finally {
    await commit();
  }
}
