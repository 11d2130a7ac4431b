/**
 * @module sync/import/import
 * importRelease: one decrypted release → the local library, exactly once.
 *
 * Invariants:
 * - Idempotent: a release already in dme_releases is skipped without
 *   reading the source; a Readable source is destroyed so its file or
 *   socket is released (check `library.hasRelease` before downloading to
 *   avoid producing it at all).
 * - Atomic: the rows, the table swap (snapshot) and the dme_releases row are
 *   ONE write transaction. Any failure (bad cell, parse error, the source
 *   erroring, abort, a killed process) leaves the table and the history as
 *   they were. Nothing is committed before the last row, so a killed process
 *   leaves no half-written table; openLibrary drops stray staging tables
 *   and the scratch directories of importers that are gone.
 * - The transaction stays open across awaits: while an import runs, read
 *   the library through `library.openReader()`, not `library.db`. A big
 *   snapshot CSV/TSV holds it on the scratch writer thread's own connection
 *   (scratch.ts) instead of `library.db`'s; the guarantees are the same.
 * - Memory: one batch of the reader plus one statement's values; SQLite's
 *   page cache (cache_size) spills into the WAL beyond that.
 */
import type Database from 'better-sqlite3';
import { FormatError } from '../../formats/errors.js';
import type { ByteSource } from '../../formats/source.js';
import type { FileFormat } from '../../formats/types.js';
import { LibraryError } from '../library/errors.js';
import type { Library } from '../library/library.js';
import { STAGING_PREFIX } from '../library/naming.js';
import { insertRelease, saveDataset, type LibraryDataset, type ReleaseInfo } from '../library/metadata.js';
import { checkColumns, withRequiredKeys, type ColumnDef } from '../library/schema.js';
import { ImportError } from './errors.js';
import { BatchInserter } from './insert.js';
import { openBatches, type BatchStream } from './batches.js';
import type { ScratchLoad } from './scratch.js';
import { planScratch, roundBytesFor, startScratch, type ScratchPlan, type ScratchTuning } from './scratch-plan.js';
import { prepareTarget } from './tables.js';

export interface ImportProgress {
  /** Rows inserted so far. */
  rows: number;
  /** Plaintext (decompressed) bytes read so far. */
  bytes: number;
}

export interface ImportRequest {
  dataset: LibraryDataset;
  release: ReleaseInfo;
  /** The decrypted plaintext (gzip is recognised and inflated). */
  source: ByteSource;
  /** Overrides detection from the content and `fileName`. */
  format?: FileFormat;
  fileName?: string;
  /** The manifest's record count: a different number of rows fails the import (IMPORT_ROW_COUNT). */
  expectedRows?: number;
  /**
   * The manifest's plaintext size in bytes: only a hint (the source's own
   * length is what gets imported; the caller verifies it), used to choose
   * and size the parallel load when no record count is given.
   */
  plaintextSize?: number;
  signal?: AbortSignal;
  /** Called after each batch (a few hundred rows). */
  onProgress?: (p: ImportProgress) => void;
  /**
   * Parse and convert in a worker thread so this thread only binds and
   * inserts (falls back to in-thread when no built worker exists). Default
   * false: measured on 2 shared cores it cost more than it overlapped
   * (binding dominates; see bench/import.mjs and DME_IMPORT_WORKER=1).
   */
  worker?: boolean;
  /**
   * Snapshot CSV/TSV imports load in parallel through scratch databases
   * (scratch.ts) unless false; tuning for tests and benchmarks.
   */
  scratch?: false | ScratchTuning;
  /**
   * Runs once every row is loaded and checked, just before the commit; a
   * rejection fails the import. The sync engine deletes the payload it has
   * read here (sync/engine/release-job.ts).
   */
  beforeCommit?: () => Promise<void>;
  /** Reader batch size in rows (tests); default: the reader's. */
  batchSize?: number;
  /** Clock for imported_at (tests). */
  now?: () => Date;
}

export interface ImportResult {
  /** Rows in this release (for a skipped release: as recorded when it was imported). */
  rows: number;
  /** true: the release was already imported; nothing was read or written. */
  skipped: boolean;
  /** The dataset's table in the library. */
  table: string;
}

/** The connection's page cache in KiB (cache_size is KiB when negative, pages when positive). */
function cacheKiB(db: Database.Database): number {
  const n = Number(db.pragma('cache_size', { simple: true }));
  return n < 0 ? -n : Math.ceil((n * Number(db.pragma('page_size', { simple: true }))) / 1024);
}

/** Imports one release; see the module invariants. Rejects with ImportError or LibraryError. */
export function importRelease(library: Library, req: ImportRequest): Promise<ImportResult> {
  return library.exclusive(() => runImport(library, req));
}

function aborted(signal: AbortSignal | undefined, cause?: unknown): ImportError {
  const reason: unknown = signal?.reason;
  const why = reason instanceof Error ? `: ${reason.message}` : '';
  return new ImportError('IMPORT_ABORTED', `the import was cancelled${why}`, {}, { cause: cause ?? reason });
}

function classify(e: unknown, signal: AbortSignal | undefined): Error {
  if (signal?.aborted) return e instanceof ImportError && e.code === 'IMPORT_ABORTED' ? e : aborted(signal, e);
  if (e instanceof ImportError || e instanceof LibraryError) return e;
  if (e instanceof FormatError) {
    const { line, record } = e.location;
    return new ImportError('IMPORT_FORMAT', `the file cannot be read: ${e.message}`, { ...(line === undefined ? {} : { line }), ...(record === undefined ? {} : { record }) }, { cause: e });
  }
  const err = e instanceof Error ? e : new Error(String(e));
  // A staging table is the dataset's table to the user.
  if (err.name === 'SqliteError') return new ImportError('IMPORT_DATABASE', `the library refused the import: ${err.message.replaceAll(STAGING_PREFIX, '')}`, {}, { cause: e });
  return new ImportError('IMPORT_SOURCE', `reading the release failed: ${err.message}`, {}, { cause: e });
}

/**
 * `p`, or IMPORT_ABORTED as soon as the signal fires. Not Promise.race
 * against one long-lived abort promise: every race leaves a reaction on
 * that promise holding its result, so each batch stayed reachable until the
 * import ended (1M rows: heap 20 → 256 MB). The listener here goes with `p`.
 */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(aborted(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(aborted(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

/** Lets go of a source we will not read (a Readable holds a descriptor and may emit errors). */
function discard(source: ByteSource): void {
  const s = source as { destroy?: () => void; on?: (event: string, fn: () => void) => void };
  if (typeof s.destroy !== 'function') return;
  // An fs stream may still fail its pending open after destroy(); nobody is listening for that.
  s.on?.('error', () => undefined);
  s.destroy();
}

async function runImport(library: Library, req: ImportRequest): Promise<ImportResult> {
  const db = library.open();
  const { dataset, release, signal } = req;
  const known = library.release(release.id);
  if (known) {
    if (known.datasetId !== dataset.id) {
      discard(req.source);
      throw new ImportError('IMPORT_RELEASE_CONFLICT', `release ${release.id} was already imported for dataset ${known.datasetId}, not ${dataset.id}`);
    }
    discard(req.source);
    return { rows: known.rows, skipped: true, table: library.tableNameFor(dataset) };
  }
  if (signal?.aborted) {
    discard(req.source);
    throw aborted(signal);
  }
  const keys = dataset.importMode === 'incremental' ? dataset.keyColumns : [];
  if (dataset.columns.length > 0) checkColumns(dataset.columns, keys);
  const table = library.tableNameFor(dataset);

  // An abort must not wait for a stalled source: race every read against it.
  const onAbort = (): void => {
    const s = req.source as { destroy?: (e?: Error) => void };
    if (typeof s.destroy === 'function') s.destroy(aborted(signal));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const race = <T>(p: Promise<T>): Promise<T> => (signal ? raceAbort(p, signal) : p);

  let committed = false;
  let stream: BatchStream | undefined;
  let scratch: ScratchLoad | undefined;
  db.exec('BEGIN IMMEDIATE');
  try {
    const hints = { ...(req.format ? { format: req.format } : {}), ...(req.fileName ? { fileName: req.fileName } : {}) };
    const expected = { rows: req.expectedRows, bytes: req.plaintextSize };
    const plan: ScratchPlan =
      dataset.importMode === 'snapshot' && req.scratch !== false ? await race(planScratch(req.source, hints, expected, req.scratch)) : { kind: 'serial', source: req.source };
    let rows = 0;
    let columns: ColumnDef[] = [];
    if (plan.kind === 'scratch') {
      columns = dataset.columns.length > 0 ? [...dataset.columns] : plan.names.map((name) => ({ name, type: 'text', nullable: true }));
      checkColumns(columns, keys);
      const roundBytes = roundBytesFor(expected, plan.bytesPerLine, plan.workers, req.scratch);
      // Nothing is written yet: the writer thread takes the write lock (and waits for it as this connection would).
      const writer = { path: library.path, busyTimeoutMs: Number(db.pragma('busy_timeout', { simple: true })), cacheKiB: cacheKiB(db), table, columns };
      db.exec('ROLLBACK');
      scratch = startScratch(writer, columns, plan, roundBytes, library.path) ?? undefined;
      if (!scratch) db.exec('BEGIN IMMEDIATE');
      if (scratch) rows = await race(scratch.load(plan.chunks, plan.delim, { bytes: plan.header.length, lines: plan.headerLines }, (r, bytes) => req.onProgress?.({ rows: r, bytes })));
    }
    if (!scratch) {
      // The serial path, also when no worker could start (e.g. a process flag workers refuse).
      const source = plan.kind === 'scratch' ? plan.chunks : plan.source;
      // Key columns are NOT NULL (a STRICT primary key): checked per row, so an empty key is reported on its line.
      stream = openBatches(source, { columns: withRequiredKeys(dataset.columns, keys), ...hints, ...(req.batchSize ? { batchSize: req.batchSize } : {}) }, req.worker ?? false);
      columns = await race(stream.columns());
      checkColumns(columns, keys);
      const target = prepareTarget(db, table, dataset.importMode, columns, keys);
      const inserter = new BatchInserter(db, { table: target.loadTable, columns: columns.map((c) => c.name), conflictKeys: target.conflictKeys });
      for (let b = await race(stream.next()); b; b = await race(stream.next())) {
        if (signal?.aborted) throw aborted(signal);
        rows += inserter.insertAll(b.values);
        req.onProgress?.({ rows, bytes: b.bytes });
      }
      target.finish();
    }
    if (signal?.aborted) throw aborted(signal);
    if (req.expectedRows !== undefined && req.expectedRows !== rows) {
      throw new ImportError('IMPORT_ROW_COUNT', `release ${release.id} has ${rows} rows, its manifest says ${req.expectedRows}`);
    }
    if (req.beforeCommit) {
      await req.beforeCommit();
      if (signal?.aborted) throw aborted(signal);
    }
    const importedAt = (req.now?.() ?? new Date()).toISOString();
    if (scratch) {
      // Not raced against the signal: once sent, the commit may succeed, and an abort reported then would be a lie.
      await scratch.commit({ dataset, columns, release: { ...release, datasetId: dataset.id, importedAt, rows } });
      committed = true;
      return { rows, skipped: false, table };
    }
    saveDataset(db, dataset, table, columns, release.id, importedAt);
    insertRelease(db, { ...release, datasetId: dataset.id, importedAt, rows: rows });
    db.exec('COMMIT');
    committed = true;
    return { rows: rows, skipped: false, table };
  } catch (e) {
    throw classify(e, signal);
  } finally {
    if (!committed) {
      if (db.inTransaction) db.exec('ROLLBACK');
      // A source read only in part (or not at all, after a failure in between) is let go.
      discard(req.source);
    }
    await scratch?.release();
    stream?.close();
    signal?.removeEventListener('abort', onAbort);
  }
}
