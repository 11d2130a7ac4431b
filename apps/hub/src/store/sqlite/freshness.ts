/**
 * @module store/sqlite/freshness
 * FreshnessStore on better-sqlite3. Scheduled datasets are found through the
 * (status, id) index and the interval inside `details`; release times
 * through the (dataset_id, status, published_at) index, one dataset or a
 * page of them per query.
 */
import type { Database } from 'better-sqlite3';
import { writeTx } from './tx.js';
import type { FreshnessRecord, FreshnessStore } from '../freshness.js';
import { toDataset } from './datasets.js';

interface Row {
  dataset_id: string;
  state: FreshnessRecord['state'];
  late_since: string | null;
  missed_intervals: number;
  last_release_at: string | null;
  updated_at: string;
}

const toRecord = (r: Row): FreshnessRecord => ({
  datasetId: r.dataset_id,
  state: r.state,
  lateSince: r.late_since,
  missedIntervals: r.missed_intervals,
  lastReleaseAt: r.last_release_at,
  updatedAt: r.updated_at,
});

type DatasetRow = Parameters<typeof toDataset>[0];

export function sqliteFreshness(db: Database): FreshnessStore {
  const byId = db.prepare<[string], Row>(`SELECT * FROM dataset_freshness WHERE dataset_id = ?`);
  const byIds = db.prepare<[string], Row>(`SELECT * FROM dataset_freshness WHERE dataset_id IN (SELECT value FROM json_each(?))`);
  const scheduled = db.prepare<[string, number], DatasetRow>(
    `SELECT * FROM datasets WHERE status = 'PUBLISHED' AND id > ?
       AND json_extract(details, '$.expectedUpdateIntervalSeconds') IS NOT NULL
     ORDER BY id LIMIT ?`,
  );
  const times = db.prepare<[string, string], { t: string }>(
    `SELECT published_at AS t FROM releases WHERE dataset_id = ? AND status = 'published' AND published_at >= ? ORDER BY published_at`,
  );
  // CROSS JOIN keeps json_each as the outer loop: one (dataset_id, status, published_at) range per dataset.
  const timesMany = db.prepare<[string], { id: string; t: string }>(
    `SELECT r.dataset_id AS id, r.published_at AS t
       FROM json_each(?) AS j CROSS JOIN releases AS r
      WHERE r.dataset_id = json_extract(j.value, '$.datasetId') AND r.status = 'published'
        AND r.published_at >= json_extract(j.value, '$.since')
      ORDER BY j.key, r.published_at`,
  );
  const upsert = db.prepare(
    `INSERT INTO dataset_freshness (dataset_id, state, late_since, missed_intervals, last_release_at, updated_at)
     VALUES (@datasetId, @state, @lateSince, @missedIntervals, @lastReleaseAt, @updatedAt)
     ON CONFLICT (dataset_id) DO UPDATE SET state = excluded.state, late_since = excluded.late_since,
       missed_intervals = excluded.missed_intervals, last_release_at = excluded.last_release_at, updated_at = excluded.updated_at`,
  );
  const insertEvent = db.prepare(
    `INSERT INTO events (type, dataset_id, account_id, payload, created_at) VALUES (@type, @datasetId, @accountId, @payload, @createdAt)`,
  );

  const transitionTx = writeTx(db, 
    (expected: Pick<FreshnessRecord, 'state' | 'missedIntervals' | 'lastReleaseAt'> | null, next: FreshnessRecord, events: Parameters<FreshnessStore['transition']>[2]) => {
      const row = byId.get(next.datasetId);
      if (expected === null ? row !== undefined : !row || row.state !== expected.state || row.missed_intervals !== expected.missedIntervals || row.last_release_at !== expected.lastReleaseAt) {
        return false;
      }
      upsert.run(next);
      for (const e of events) insertEvent.run({ ...e, payload: JSON.stringify(e.payload) });
      return true;
    },
  );

  return {
    get: async (id) => {
      const r = byId.get(id);
      return r ? toRecord(r) : null;
    },
    getMany: async (ids) => new Map(byIds.all(JSON.stringify(ids)).map((r) => [r.dataset_id, toRecord(r)])),
    listScheduled: async (afterId, limit) => scheduled.all(afterId, limit).map(toDataset),
    releaseTimes: async (id, since) => times.all(id, since).map((r) => r.t),
    releaseTimesMany: async (requests) => {
      const out = new Map<string, string[]>();
      if (requests.length === 0) return out;
      for (const r of timesMany.all(JSON.stringify(requests))) {
        const list = out.get(r.id);
        if (list) list.push(r.t);
        else out.set(r.id, [r.t]);
      }
      return out;
    },
    transition: async (expected, next, events) => transitionTx(expected, next, events),
  };
}
