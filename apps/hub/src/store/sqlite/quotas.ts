/**
 * @module store/sqlite/quotas
 * QuotaStore on better-sqlite3: API-call counters through a write-behind
 * counter (keys `<accountId> <month>`), download bytes summed from the usage
 * table incrementally (./download-bytes.ts).
 */
import type { Database } from 'better-sqlite3';
import { writeTx } from './tx.js';
import { downloadBytesCounter } from './download-bytes.js';
import { WriteBehindCounter } from '../../limits/write-behind.js';
import type { QuotaStore } from '../quotas.js';

const keyOf = (accountId: string, month: string) => `${accountId} ${month}`;
function splitKey(key: string): [string, string] {
  const i = key.lastIndexOf(' ');
  return [key.slice(0, i), key.slice(i + 1)];
}

export function sqliteQuotas(db: Database, flushIntervalMs = 1000): QuotaStore {
  const load = db.prepare<[string, string], { calls: number }>(`SELECT calls FROM api_call_counters WHERE account_id = ? AND month = ?`);
  const add = db.prepare(
    `INSERT INTO api_call_counters (account_id, month, calls) VALUES (?, ?, ?)
     ON CONFLICT (account_id, month) DO UPDATE SET calls = calls + excluded.calls`,
  );
  const downloadBytes = downloadBytesCounter(db);
  const addAll = writeTx(db, (deltas: ReadonlyMap<string, number>) => {
    for (const [key, n] of deltas) add.run(...splitKey(key), n);
  });
  const counter = new WriteBehindCounter(
    {
      load: async (key) => load.get(...splitKey(key))?.calls ?? 0,
      add: async (deltas) => {
        // The database may already be closed when a timer fires after shutdown; close() flushed first.
        if (db.open) addAll(deltas);
      },
    },
    flushIntervalMs,
  );
  let month = '';
  // Keys of the current month, built once per account: a fresh `${id} ${month}` per call meant
  // a new string to hash for every lookup, twice per request.
  const keys = new Map<string, string>();
  const keyFor = (accountId: string, m: string): string => {
    if (m !== month) return keyOf(accountId, m);
    let key = keys.get(accountId);
    if (key === undefined) {
      if (keys.size >= 10_000) keys.clear();
      key = keyOf(accountId, m);
      keys.set(accountId, key);
    }
    return key;
  };
  return {
    apiCalls: (accountId, m) => {
      const key = keyFor(accountId, m);
      return counter.peek(key) ?? counter.get(key);
    },
    countApiCall: (accountId, m) => {
      if (m === month && counter.addLoaded(keyFor(accountId, m))) return;
      return (async () => {
        if (m !== month) {
          // A new month: older counters are final once flushed; keep memory to the current month.
          month = m;
          keys.clear();
          await counter.evict((key) => splitKey(key)[1] !== m);
        }
        await counter.add(keyOf(accountId, m));
      })();
    },
    downloadBytes: async (accountId, from, to) => downloadBytes(accountId, from, to),
    flush: () => counter.flush(),
  };
}
