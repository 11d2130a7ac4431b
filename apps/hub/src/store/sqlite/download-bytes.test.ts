/**
 * Incremental download-bytes sums on a real SQLite file: always equal to the
 * plain SUM they replace (several accounts, windows, kinds, another
 * connection writing), and the incremental step reads by rowid range only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FULL_SUM_SQL, NEWER_SUM_SQL, downloadBytesCounter } from './download-bytes.js';
import { migrate } from './migrate.js';

let dir: string;
let db: Database.Database;
let other: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dme-dlbytes-'));
  db = new Database(join(dir, 'hub.db'));
  db.pragma('journal_mode = WAL');
  migrate(db);
  other = new Database(join(dir, 'hub.db'));
});
afterEach(() => {
  other.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const MARCH = { from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' };
const APRIL = { from: '2026-04-01T00:00:00.000Z', to: '2026-05-01T00:00:00.000Z' };

function insert(conn: Database.Database, accountId: string, kind: 'upload' | 'download', bytes: number, createdAt: string): void {
  conn
    .prepare(`INSERT INTO usage (account_id, kind, dataset_id, release_id, bytes, sha256, created_at) VALUES (?, ?, 'ds', 'rel', ?, 'x', ?)`)
    .run(accountId, kind, bytes, createdAt);
}

const plainSum = (accountId: string, w: { from: string; to: string }) =>
  (
    db
      .prepare(`SELECT coalesce(sum(bytes), 0) AS n FROM usage WHERE account_id = ? AND created_at >= ? AND created_at < ? AND kind = 'download'`)
      .get(accountId, w.from, w.to) as { n: number }
  ).n;

describe('downloadBytesCounter', () => {
  it('equals the plain SUM after every write, whoever writes', () => {
    const sum = downloadBytesCounter(db);
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const times = ['2026-02-28T23:59:59.999Z', '2026-03-01T00:00:00.000Z', '2026-03-15T12:00:00.000Z', '2026-03-31T23:59:59.999Z', '2026-04-01T00:00:00.000Z', '2026-04-20T00:00:00.000Z'];
    for (let i = 0; i < 400; i++) {
      const account = `acc_${rand(3)}`;
      insert(rand(2) === 0 ? db : other, account, rand(4) === 0 ? 'upload' : 'download', 1 + rand(1000), times[rand(times.length)]!);
      for (const a of ['acc_0', 'acc_1', 'acc_2']) {
        for (const w of [MARCH, APRIL]) expect(sum(a, w.from, w.to)).toBe(plainSum(a, w));
      }
    }
    expect(plainSum('acc_0', MARCH)).toBeGreaterThan(0);
  });

  it('a new counter (or a forgotten sum) starts from the full SUM', () => {
    insert(db, 'acc_a', 'download', 10, '2026-03-02T00:00:00.000Z');
    insert(other, 'acc_a', 'download', 5, '2026-03-03T00:00:00.000Z');
    expect(downloadBytesCounter(db)('acc_a', MARCH.from, MARCH.to)).toBe(15);
  });

  it('reads only rows above the last seen id on later calls (rowid range), the account index the first time', () => {
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ accountId: 'a', after: 1, ...MARCH }) as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan(NEWER_SUM_SQL)).toMatch(/SEARCH usage USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/);
    expect(plan(NEWER_SUM_SQL)).not.toContain('usage_account');
    expect(plan(FULL_SUM_SQL)).toContain('SEARCH usage USING INDEX usage_account (account_id=? AND created_at>? AND created_at<?)');
  });
});
