/**
 * @module events/feed
 * One reader of the event log shared by every open stream. On each wake-up
 * from the notifier it reads the new rows once (not once per client), keeps
 * the most recent ones in memory, and then wakes its own listeners, which
 * call `after(cursor)`. Invariant: the cache holds every event with
 * floor < id <= head, so a cursor >= floor is answered from memory and an
 * older one from the store; either way nothing between is skipped.
 */
import type { EventRecord, EventStore } from '../store/ledger.js';
import type { EventNotifier, Listener } from './notifier.js';

const PAGE = 500;

export interface EventFeed {
  /** Events with id > cursor, ascending, at most `limit`. */
  after(cursor: number, limit: number): Promise<EventRecord[]>;
  /** Called after each refresh that follows a notification. */
  subscribe(listener: Listener): () => void;
  close(): void;
}

export function createEventFeed(events: EventStore, lastEventId: () => Promise<number>, notifier: EventNotifier, cacheSize = 2000): EventFeed {
  const listeners = new Set<Listener>();
  let cache: EventRecord[] = [];
  let floor = -1;
  let head = -1;
  let refreshing: Promise<void> | undefined;
  let again = false;

  const init = async () => {
    if (head >= 0) return;
    const last = await lastEventId();
    if (head < 0) floor = head = last;
  };

  const readNew = async () => {
    await init();
    for (let i = 0; i < 1000; i++) {
      const page = await events.list(head, PAGE);
      if (page.length === 0) break;
      cache.push(...page);
      head = page[page.length - 1]!.id;
      if (page.length < PAGE) break;
    }
    if (cache.length > cacheSize) {
      const dropped = cache.length - cacheSize;
      floor = cache[dropped - 1]!.id;
      cache = cache.slice(dropped);
    }
  };

  const refresh = async (): Promise<void> => {
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      do {
        again = false;
        try {
          await readNew();
        } catch {
          // The store is closing or busy: listeners still wake and read for themselves.
        }
        for (const l of [...listeners]) {
          try {
            l();
          } catch {
            // one listener's failure is its own
          }
        }
      } while (again);
    })().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };

  const unsubscribe = notifier.subscribe(() => void refresh());

  return {
    async after(cursor, limit) {
      await init();
      if (cursor >= floor) {
        const out: EventRecord[] = [];
        for (const e of cache) {
          if (e.id > cursor) {
            out.push(e);
            if (out.length >= limit) break;
          }
        }
        // The store may already hold newer rows than the cache; the pending wake-up brings them.
        return out;
      }
      return events.list(cursor, limit);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      unsubscribe();
      listeners.clear();
    },
  };
}
