/**
 * @module events/runtime
 * The event runtime of one hub: its notifier, the shared feed, and stream
 * settings. Keyed by the hub's Store so routes reach it through `deps`
 * without widening HubDeps: a runtime entry installs one before serving
 * (Node: local notifier; Workers: a Durable Object), and a hub built
 * without one (tests through `app.request`) gets an in-process default.
 */
import type { Store } from '../store/types.js';
import { createEventFeed } from './feed.js';
import type { EventFeed } from './feed.js';
import { createLocalNotifier } from './notifier.js';
import type { EventNotifier } from './notifier.js';

export interface EventRuntimeOptions {
  notifier?: EventNotifier;
  /** Comment lines on idle streams, so proxies and clients know the stream lives (default 15 s). */
  heartbeatMs?: number;
}

export interface EventRuntime {
  notifier: EventNotifier;
  feed: EventFeed;
  heartbeatMs: number;
  /** Open streams register here so a shutting-down server can end them (an SSE response never ends by itself). */
  streams: Set<() => void>;
  /** Set by close(): new streams are refused (503) so a draining server is not handed fresh ones. */
  closed: boolean;
  /** Ends every open stream and stops the feed. */
  close(): void;
}

export const DEFAULT_HEARTBEAT_MS = 15_000;

const runtimes = new WeakMap<Store, EventRuntime>();

/** Installs (or replaces) the runtime of `store`. */
export function installEventRuntime(store: Store, opts: EventRuntimeOptions = {}): EventRuntime {
  runtimes.get(store)?.feed.close();
  const notifier = opts.notifier ?? createLocalNotifier();
  const feed = createEventFeed(store.events, () => store.webhooks.lastEventId(), notifier);
  const streams = new Set<() => void>();
  const rt: EventRuntime = {
    notifier,
    feed,
    heartbeatMs: opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    streams,
    closed: false,
    close() {
      rt.closed = true;
      for (const end of [...streams]) end();
      feed.close();
    },
  };
  runtimes.set(store, rt);
  return rt;
}

export function eventRuntime(store: Store): EventRuntime {
  return runtimes.get(store) ?? installEventRuntime(store);
}
