/**
 * @module sync/library/metadata
 * The SQL over dme_datasets and dme_releases, in one place. Rows come back
 * as the typed records below; JSON columns are parsed here and nowhere else.
 */
import type Database from 'better-sqlite3';
import type { ImportMode } from '../../protocol/dataset.js';
import type { ColumnDef } from './schema.js';

/** What the library needs to know about a dataset to hold its table. */
export interface LibraryDataset {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  /** Producer id or display name, as the caller wants it shown. */
  readonly producer: string;
  readonly importMode: ImportMode;
  /** Incremental: upsert on these (PRIMARY KEY); empty → append. Ignored for snapshots. */
  readonly keyColumns: readonly string[];
  /** The release schema; empty → every column of the file as nullable TEXT. */
  readonly columns: readonly ColumnDef[];
}

export interface DatasetRecord extends LibraryDataset {
  readonly tableName: string;
  readonly lastReleaseId: string | null;
  readonly updatedAt: string;
}

/** The release facts the importer records (from the verified manifest). */
export interface ReleaseInfo {
  readonly id: string;
  readonly schemaVersion: string;
  readonly payloadSha256: string;
  readonly plaintextSha256: string;
  readonly producerKeyFingerprint: string;
}

export interface ReleaseRecord extends ReleaseInfo {
  readonly datasetId: string;
  readonly importedAt: string;
  readonly rows: number;
}

interface DatasetRow {
  dataset_id: string;
  slug: string;
  name: string;
  producer: string;
  table_name: string;
  import_mode: ImportMode;
  key_columns: string;
  columns_json: string;
  last_release_id: string | null;
  updated_at: string;
}

interface ReleaseRow {
  release_id: string;
  dataset_id: string;
  imported_at: string;
  rows: number;
  payload_sha256: string;
  plaintext_sha256: string;
  producer_key_fingerprint: string;
  schema_version: string;
}

function toDataset(r: DatasetRow): DatasetRecord {
  return {
    id: r.dataset_id,
    slug: r.slug,
    name: r.name,
    producer: r.producer,
    tableName: r.table_name,
    importMode: r.import_mode,
    keyColumns: JSON.parse(r.key_columns) as string[],
    columns: JSON.parse(r.columns_json) as ColumnDef[],
    lastReleaseId: r.last_release_id,
    updatedAt: r.updated_at,
  };
}

function toRelease(r: ReleaseRow): ReleaseRecord {
  return {
    id: r.release_id,
    datasetId: r.dataset_id,
    importedAt: r.imported_at,
    rows: r.rows,
    payloadSha256: r.payload_sha256,
    plaintextSha256: r.plaintext_sha256,
    producerKeyFingerprint: r.producer_key_fingerprint,
    schemaVersion: r.schema_version,
  };
}

export function getDataset(db: Database.Database, id: string): DatasetRecord | undefined {
  const r = db.prepare('SELECT * FROM dme_datasets WHERE dataset_id = ?').get(id) as DatasetRow | undefined;
  return r && toDataset(r);
}

export function listDatasets(db: Database.Database): DatasetRecord[] {
  return (db.prepare('SELECT * FROM dme_datasets ORDER BY name, dataset_id').all() as DatasetRow[]).map(toDataset);
}

export function getRelease(db: Database.Database, id: string): ReleaseRecord | undefined {
  const r = db.prepare('SELECT * FROM dme_releases WHERE release_id = ?').get(id) as ReleaseRow | undefined;
  return r && toRelease(r);
}

/** Newest first; served by the dme_releases_by_dataset index. */
export function listReleases(db: Database.Database, datasetId: string, limit = 100): ReleaseRecord[] {
  const rows = db
    .prepare('SELECT * FROM dme_releases WHERE dataset_id = ? ORDER BY imported_at DESC, rowid DESC LIMIT ?')
    .all(datasetId, limit) as ReleaseRow[];
  return rows.map(toRelease);
}

/** Inserts or refreshes the dataset row after a release was loaded into `tableName`. */
export function saveDataset(db: Database.Database, d: LibraryDataset, tableName: string, columns: readonly ColumnDef[], releaseId: string, now: string): void {
  db.prepare(
    `INSERT INTO dme_datasets (dataset_id, slug, name, producer, table_name, import_mode, key_columns, columns_json, last_release_id, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (dataset_id) DO UPDATE SET slug = excluded.slug, name = excluded.name, producer = excluded.producer,
       import_mode = excluded.import_mode, key_columns = excluded.key_columns, columns_json = excluded.columns_json,
       last_release_id = excluded.last_release_id, updated_at = excluded.updated_at`,
  ).run(d.id, d.slug, d.name, d.producer, tableName, d.importMode, JSON.stringify(d.keyColumns), JSON.stringify(columns), releaseId, now);
}

export function insertRelease(db: Database.Database, r: ReleaseRecord): void {
  db.prepare(
    `INSERT INTO dme_releases (release_id, dataset_id, imported_at, rows, payload_sha256, plaintext_sha256, producer_key_fingerprint, schema_version)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(r.id, r.datasetId, r.importedAt, r.rows, r.payloadSha256, r.plaintextSha256, r.producerKeyFingerprint, r.schemaVersion);
}
