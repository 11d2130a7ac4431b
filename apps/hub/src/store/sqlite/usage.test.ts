/**
 * Group-committed usage rows on a real SQLite file: a resolved `record` means
 * the row is visible to another connection (committed), rows of one turn
 * share a transaction, and a bad row fails only its own caller.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewUsage } from '../ledger.js';
import { openSqliteStore } from './index.js';
import type { SqliteStore } from './index.js';

let dir: string;
let store: SqliteStore;
let reader: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dme-usage-'));
  store = openSqliteStore(join(dir, 'hub.db'));
  reader = new Database(join(dir, 'hub.db'), { readonly: true });
});

afterEach(async () => {
  reader.close();
  await store.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const row = (i: number, over: Partial<NewUsage> = {}): NewUsage => ({
  accountId: 'acc_1',
  kind: 'download',
  datasetId: 'ds_1',
  releaseId: `rel_${i}`,
  bytes: 100 + i,
  sha256: 'ab'.repeat(32),
  createdAt: `2026-03-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`,
  ...over,
});

const committed = () => (reader.prepare(`SELECT count(*) AS n FROM usage`).get() as { n: number }).n;

describe('sqlite usage store (group commit)', () => {
  it('a resolved record is committed: another connection sees it', async () => {
    await store.usage.record(row(1));
    expect(committed()).toBe(1);
    expect(await store.usage.listByAccount('acc_1', { limit: 10 })).toMatchObject([{ releaseId: 'rel_1', bytes: 101, kind: 'download' }]);
  });

  it('rows recorded in one turn commit together, in call order, before any of them resolves', async () => {
    const seen: number[] = [];
    const all = Array.from({ length: 20 }, (_, i) => store.usage.record(row(i)).then(() => seen.push(committed())));
    expect(committed()).toBe(0);
    await Promise.all(all);
    expect(seen).toEqual(Array(20).fill(20));
    const ids = (reader.prepare(`SELECT release_id FROM usage ORDER BY id`).all() as { release_id: string }[]).map((r) => r.release_id);
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => `rel_${i}`));
  });

  it('a row the schema refuses fails only its own record; the others commit', async () => {
    const results = await Promise.allSettled([store.usage.record(row(1)), store.usage.record(row(2, { bytes: -5 })), store.usage.record(row(3))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/CHECK/);
    expect(committed()).toBe(2);
  });

  it('close() commits rows still waiting for the end of the turn', async () => {
    const pending = store.usage.record(row(7));
    await store.close();
    await pending;
    expect(committed()).toBe(1);
  });

  it('download bandwidth is summed from committed rows', async () => {
    await Promise.all([store.usage.record(row(1, { bytes: 1000 })), store.usage.record(row(2, { bytes: 234 })), store.usage.record(row(3, { kind: 'upload', bytes: 99 }))]);
    expect(await store.quotas.downloadBytes('acc_1', '2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z')).toBe(1234);
  });
});
