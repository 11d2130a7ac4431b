/**
 * @module store/sqlite/download-bytes
 * Bytes of download URLs issued to an account in [from, to), summed from the
 * usage table incrementally. The bandwidth quota asks this on every download,
 * and a plain SUM over the account's month grows with every download (after
 * ~7,000 downloads it was half the hub's CPU on that route).
 *
 * Each (account, from, to) remembers its sum and the table's highest usage id
 * when it was taken; the next call adds only rows above that id, through the
 * rowid range. Exact, and correct with other writers on the database: ids are
 * assigned in commit order (one writer at a time), so no row at or below a
 * seen id can appear later. Both figures come from one statement, hence one
 * snapshot.
 */
import type { Database } from 'better-sqlite3';

/** Sums remembered; oldest dropped first (a dropped one is recomputed in full). */
const MAX_SUMS = 10_000;

interface Sum {
  top: number;
  bytes: number;
}

export const FULL_SUM_SQL = `SELECT t.top AS top, (SELECT coalesce(sum(bytes), 0) FROM usage
    WHERE account_id = @accountId AND created_at >= @from AND created_at < @to AND kind = 'download' AND id <= t.top) AS bytes
  FROM (SELECT coalesce(max(id), 0) AS top FROM usage) t`;

// The unary + keeps SQLite off the account index here: only rows above the seen id are read.
export const NEWER_SUM_SQL = `SELECT t.top AS top, (SELECT coalesce(sum(bytes), 0) FROM usage
    WHERE id > @after AND id <= t.top AND +account_id = @accountId AND +created_at >= @from AND +created_at < @to AND +kind = 'download') AS bytes
  FROM (SELECT coalesce(max(id), 0) AS top FROM usage) t`;

export function downloadBytesCounter(db: Database): (accountId: string, from: string, to: string) => number {
  const full = db.prepare<{ accountId: string; from: string; to: string }, Sum>(FULL_SUM_SQL);
  const newer = db.prepare<{ accountId: string; from: string; to: string; after: number }, Sum>(NEWER_SUM_SQL);
  const sums = new Map<string, Sum>();
  return (accountId, from, to) => {
    const key = `${accountId}\n${from}\n${to}`;
    const seen = sums.get(key);
    let now: Sum;
    if (seen) {
      const add = newer.get({ accountId, from, to, after: seen.top })!;
      now = { top: Math.max(seen.top, add.top), bytes: seen.bytes + add.bytes };
    } else {
      now = full.get({ accountId, from, to })!;
      if (sums.size >= MAX_SUMS) sums.delete(sums.keys().next().value!);
    }
    sums.set(key, now);
    return now.bytes;
  };
}
