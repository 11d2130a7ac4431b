/**
 * Background WAL checkpoints on a real SQLite file: the hub's connection
 * keeps only the far backstop, the worker copies committed pages into the
 * database file while the hub writes on, and close() stops it and leaves a
 * complete database file (no WAL) that another connection reads in full.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKSTOP_PAGES } from './checkpointer.js';
import { openSqliteStore } from './index.js';
import type { SqliteStore } from './index.js';

let dir: string;
let store: SqliteStore | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dme-ckpt-'));
});
afterEach(async () => {
  await store?.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const row = (i: number) => ({ accountId: 'acc_1', kind: 'download' as const, datasetId: 'ds_1', releaseId: `rel_${i}`, bytes: i, sha256: 'x'.repeat(64), createdAt: '2026-03-01T00:00:00.000Z' });

describe('background checkpoints', () => {
  it('are on for the served hub only: its connection keeps the backstop, a plain store the SQLite default', async () => {
    store = openSqliteStore(join(dir, 'hub.db'), { backgroundCheckpoints: true });
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_PAGES);
    const plain = openSqliteStore(join(dir, 'plain.db'));
    expect(plain.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await plain.close();
  });

  it('copy committed pages into the database file while the hub writes, and close() leaves no WAL behind', async () => {
    const path = join(dir, 'hub.db');
    store = openSqliteStore(path, { backgroundCheckpoints: true });
    const sizeBefore = statSync(path).size;
    for (let i = 1; i <= 1000; i++) await store.usage.record(row(i)); // ~4,000 WAL pages: below the backstop
    // The worker checkpoints every 500 ms; wait (bounded) until the file holds the new pages.
    for (let i = 0; i < 50 && statSync(path).size <= sizeBefore; i++) await new Promise((r) => setTimeout(r, 100));
    expect(statSync(path).size).toBeGreaterThan(sizeBefore);
    await store.close();
    store = undefined;
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reader = new Database(path, { readonly: true });
    expect(reader.prepare(`SELECT count(*) AS n, sum(bytes) AS b FROM usage`).get()).toEqual({ n: 1000, b: (1000 * 1001) / 2 });
    reader.close();
  });
});
