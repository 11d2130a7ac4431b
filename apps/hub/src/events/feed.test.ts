/**
 * The shared event feed on a real SQLite store: replaying history below the
 * in-memory window is shared between streams (one store read per full page),
 * a page that may still grow is never served stale, and a replay from 0
 * across the window's floor yields every id once, in order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventStore } from '../store/ledger.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { SqliteStore } from '../store/sqlite/index.js';
import { createEventFeed } from './feed.js';
import { createLocalNotifier } from './notifier.js';

let dir: string;
let store: SqliteStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dme-feed-'));
  store = openSqliteStore(join(dir, 'hub.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function append(n: number): void {
  const insert = store.db.prepare(`INSERT INTO events (type, dataset_id, account_id, payload, created_at) VALUES ('DATA_PUBLISHED', 'ds_1', NULL, ?, '2026-03-01T00:00:00.000Z')`);
  store.db.transaction(() => {
    for (let i = 0; i < n; i++) insert.run(JSON.stringify({ n: i }));
  })();
}

/** The real event store, counting how often the feed goes to it. */
function counted(): { events: EventStore; reads: () => number } {
  let reads = 0;
  return {
    events: { list: (after, limit) => ((reads += 1), store.events.list(after, limit)) },
    reads: () => reads,
  };
}

const lastId = () => Promise.resolve((store.db.prepare(`SELECT coalesce(max(id), 0) AS n FROM events`).get() as { n: number }).n);

async function replay(feed: ReturnType<typeof createEventFeed>, from: number, batch: number): Promise<number[]> {
  const ids: number[] = [];
  let cursor = from;
  for (let i = 0; i < 1000; i++) {
    const page = await feed.after(cursor, batch);
    for (const e of page) ids.push(e.id);
    if (page.length < batch) break;
    cursor = page.at(-1)!.id;
  }
  return ids;
}

describe('event feed history pages', () => {
  it('streams replaying the same history share one store read per full page', async () => {
    append(1000);
    const c = counted();
    const feed = createEventFeed(c.events, lastId, createLocalNotifier(), 100);
    const first = await replay(feed, 0, 200);
    const readsAfterFirst = c.reads();
    const others = await Promise.all(Array.from({ length: 20 }, () => replay(feed, 0, 200)));
    expect(first).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    for (const o of others) expect(o).toEqual(first);
    // 5 full pages below the floor (1000) from the store; the read at the floor is answered from memory.
    expect(readsAfterFirst).toBe(5);
    expect(c.reads()).toBe(readsAfterFirst);
    feed.close();
  });

  it('a short page is read again, so rows committed since are not missed', async () => {
    append(50);
    const c = counted();
    const notifier = createLocalNotifier();
    const feed = createEventFeed(c.events, lastId, notifier, 100);
    expect((await feed.after(0, 200)).length).toBe(50);
    append(10);
    // Still below the feed's floor (50): answered by the store, which now holds 60.
    expect((await feed.after(0, 200)).map((e) => e.id)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    feed.close();
  });

  it('a replay from 0 crosses from stored pages into the live window without gaps or repeats', async () => {
    append(300);
    const notifier = createLocalNotifier();
    const feed = createEventFeed(store.events, lastId, notifier, 250);
    await feed.after(0, 1); // initialises the floor at 300
    append(400);
    const woke = new Promise<void>((resolve) => feed.subscribe(resolve));
    notifier.notify();
    await woke;
    expect(await replay(feed, 0, 200)).toEqual(Array.from({ length: 700 }, (_, i) => i + 1));
    expect(await replay(feed, 123, 200)).toEqual(Array.from({ length: 577 }, (_, i) => i + 124));
    feed.close();
  });
});
