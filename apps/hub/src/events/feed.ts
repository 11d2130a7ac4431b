/**
 * @module events/feed
 * One reader of the event log shared by every open stream. On each wake-up
 * from the notifier it reads the new rows once (not once per client), keeps
 * the most recent ones in memory, and then wakes its own listeners, which
 * call `after(cursor)`. Invariant: the cache holds every event with
 * floor < id <= head, so a cursor >= floor is answered from memory and an
 * older one from the store; either way nothing between is skipped.
 *
 * Older history is read from the store a page at a time, and full pages are
 * remembered (a few, shared by every stream): streams replaying the same
 * history (a thousand clients reconnecting from one cursor) then share one
 * read and one copy of the records instead of each parsing its own, which
 * had made the heap balloon. Only full pages are kept because they can never
 * change: ids are assigned in commit order (one writer), so once id N is
 * visible no smaller id appears later. A short page may still grow and is
 * never cached.
 */
import type { EventRecord, EventStore } from '../store/ledger.js';
import type { EventNotifier, Listener } from './notifier.js';

const PAGE = 500;
/** Full pages of older history kept for streams replaying it (each ≤ the caller's limit, 200 on the stream). */
const HISTORY_PAGES = 32;

export interface EventFeed {
  /** Events with id > cursor, ascending, at most `limit`. Shared with other streams: read, never mutate. */
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

  const history = new Map<string, EventRecord[]>();
  const historyPage = async (cursor: number, limit: number): Promise<EventRecord[]> => {
    const key = `${cursor} ${limit}`;
    const hit = history.get(key);
    if (hit) return hit;
    const page = await events.list(cursor, limit);
    if (page.length === limit) {
      if (history.size >= HISTORY_PAGES) history.delete(history.keys().next().value!);
      history.set(key, page);
    }
    return page;
  };

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
      return historyPage(cursor, limit);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      unsubscribe();
      listeners.clear();
      history.clear();
    },
  };
}
