/**
 * @module store/freshness
 * Storage of the freshness checker: its per-dataset state, the scheduled
 * datasets it walks, and release times for SLA figures. A state change and
 * the events it emits are ONE method (`transition`), conditional on the state
 * the checker read, so two checkers racing (a Node timer and a cron) cannot
 * both announce the same missed interval.
 */
import type { DatasetRecord } from './datasets.js';
import type { NewEvent } from './ledger.js';

export interface FreshnessRecord {
  datasetId: string;
  state: 'ON_TIME' | 'LATE';
  /** The first missed due time of the current late episode. */
  lateSince: string | null;
  /** Missed intervals already announced with DATA_LATE in this episode. */
  missedIntervals: number;
  /** The dataset's last release when this state was written. */
  lastReleaseAt: string | null;
  updatedAt: string;
}

export interface FreshnessStore {
  get(datasetId: string): Promise<FreshnessRecord | null>;
  getMany(datasetIds: readonly string[]): Promise<Map<string, FreshnessRecord>>;
  /** PUBLISHED datasets that declare an expected update interval, by id (keyset). */
  listScheduled(afterId: string, limit: number): Promise<DatasetRecord[]>;
  /** published_at of the dataset's published releases at or after `since`, ascending. */
  releaseTimes(datasetId: string, since: string): Promise<string[]>;
  /** releaseTimes for a page of datasets in one query: dataset id → times ascending (absent: none). */
  releaseTimesMany(requests: readonly { datasetId: string; since: string }[]): Promise<Map<string, string[]>>;
  /**
   * Writes `next` and appends `events` atomically if the stored row still has
   * `expected` (null: no row yet). false: another checker moved it first.
   */
  transition(expected: Pick<FreshnessRecord, 'state' | 'missedIntervals' | 'lastReleaseAt'> | null, next: FreshnessRecord, events: NewEvent[]): Promise<boolean>;
}
