/**
 * @module sync/library/library
 * The consumer's local library: one SQLite file that other programs may
 * open while DME writes it. WAL lets them read the last committed state
 * during an import; synchronous=NORMAL in WAL mode can lose the last
 * committed transaction on power loss (never on a process crash) but never
 * corrupts the file, and a lost import is simply re-run by the sync engine
 * because its release row went with it. Invariant: every write goes through
 * `exclusive`, so one connection never interleaves two imports.
 */
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { LibraryError } from './errors.js';
import { getDataset, getRelease, listDatasets, listReleases, type DatasetRecord, type LibraryDataset, type ReleaseRecord } from './metadata.js';
import { migrate } from './migrate.js';
import { removeStaleScratchDirs } from './scratch-dirs.js';
import { STAGING_PREFIX, quoteIdent, stagingName, tableNameForSlug, uniqueTableName } from './naming.js';

export interface OpenLibraryOptions {
  /** SQLite page cache per connection, KiB; bounds the importer's memory. Default 8 MiB (measured: import speed is the same from 8 to 128 MiB). */
  cacheKiB?: number;
  /** How long to wait for another process's write lock, ms. Default 10 s. */
  busyTimeoutMs?: number;
  /**
   * Page size for a NEW library file, bytes (a power of two, 512–65536);
   * an existing file keeps the size it was made with. Default 65536: see
   * DEFAULT_PAGE_SIZE.
   */
  pageSize?: number;
}

/**
 * Page size of new libraries: 64 KiB, SQLite's largest. In WAL mode every
 * page is written twice (to the WAL, then by the checkpoint), each time a
 * syscall pair per page, and syscalls are what the import's one writer
 * thread spends most on (on this VM a syscall or page fault costs several
 * microseconds). `dme sync --once` of 5M phone rows, 3 rounds alternating:
 * 3.40-3.85 s at 64 KiB, 3.90-4.18 at 32 KiB, 4.00-4.36 at 8 KiB (client
 * CPU 4.6-5.5 against 5.9-6.4 s). The writer's cache stays at the library's
 * 8 MiB bound (import/writer-cache.ts; peak RSS 164-177 MB), so the staging
 * table's interior page is rewritten in the WAL as it fills and the commit
 * rereads the WAL for its checksums; that is in the figures above. Readers
 * of a 5M-row table (sqlite3 .import at either size, 8 MiB cache): 50
 * LIMIT 100 OFFSET pages at random (the Data screen's query) 1.5 s against
 * 3.8 s, a full scan 0.27 against 0.37 s, a GROUP BY the same, 20,000
 * random rowid lookups 0.36 against 0.31 s. Keyed (incremental) datasets
 * are upserted in key order (import/tables.ts): a 1M-row first release
 * keyed on e164 took 3.16 / 2.88 / 2.78 / 2.75 CPU-s at 4 / 8 / 16 / 64 KiB
 * pages, 20 releases of 1,000 random upserts 0.29-0.33 s at each. (Upserted
 * in file order, that release took 15-21 CPU-s whatever the page size, and
 * 64 KiB pages made it 40% slower still.)
 */
export const DEFAULT_PAGE_SIZE = 65536;

export class Library {
  /** Raw connection, for reads (the Data screen, tests). Writes belong to the importer. */
  readonly db: Database.Database;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    readonly path: string,
    db: Database.Database,
  ) {
    this.db = db;
  }

  hasRelease(releaseId: string): boolean {
    return this.release(releaseId) !== undefined;
  }

  release(releaseId: string): ReleaseRecord | undefined {
    return getRelease(this.open(), releaseId);
  }

  /** Imported releases of a dataset, newest first. */
  releases(datasetId: string, limit = 100): ReleaseRecord[] {
    return listReleases(this.open(), datasetId, limit);
  }

  dataset(datasetId: string): DatasetRecord | undefined {
    return getDataset(this.open(), datasetId);
  }

  datasets(): DatasetRecord[] {
    return listDatasets(this.open());
  }

  /**
   * The table a dataset's rows go to: the one recorded at its first import,
   * else a fresh name from its slug that no other table uses.
   */
  tableNameFor(dataset: Pick<LibraryDataset, 'id' | 'slug'>): string {
    const known = this.dataset(dataset.id);
    if (known) return known.tableName;
    const db = this.open();
    const inSchema = db.prepare('SELECT 1 FROM sqlite_schema WHERE lower(name) = lower(?)');
    const inMeta = db.prepare('SELECT 1 FROM dme_datasets WHERE lower(table_name) = lower(?)');
    const taken = (n: string): boolean => inSchema.get(n) !== undefined || inMeta.get(n) !== undefined || inSchema.get(stagingName(n)) !== undefined;
    return uniqueTableName(tableNameForSlug(dataset.slug), taken);
  }

  /** Runs `fn` after every earlier exclusive task has settled (one writer per library). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * A separate read-only connection: it sees only committed data, so it is
   * the one to query while an import runs. The caller closes it.
   */
  openReader(): Database.Database {
    this.open();
    const reader = new Database(this.path, { readonly: true, fileMustExist: true });
    reader.pragma('busy_timeout = 10000');
    return reader;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  /** The connection, or LIBRARY_CLOSED. */
  open(): Database.Database {
    if (this.closed) throw new LibraryError('LIBRARY_CLOSED', `the library ${this.path} is closed`);
    return this.db;
  }
}

/** Drops staging tables a killed import left behind (their data was never committed as the real table). */
export function dropStagingTables(db: Database.Database): string[] {
  const rows = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND substr(name, 1, ?) = ?")
    .all(STAGING_PREFIX.length, STAGING_PREFIX) as { name: string }[];
  for (const { name } of rows) db.exec(`DROP TABLE ${quoteIdent(name)}`);
  return rows.map((r) => r.name);
}

function pageSizeOf(n: number | undefined): number {
  if (n === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(n) || n < 512 || n > 65536 || (n & (n - 1)) !== 0) {
    throw new LibraryError('LIBRARY_OPEN', `pageSize must be a power of two from 512 to 65536, got ${n}`);
  }
  return n;
}

/**
 * SQLite's temporary files (a keyed import's TEMP staging table and its
 * sort, import/tables.ts) go beside the library, on the disk that holds the
 * data, as the snapshot import's scratch files do: /tmp is a RAM-backed
 * tmpfs on many Linux systems, where a large release would take memory.
 * The setting is SQLite's, process-wide (the last library opened wins; a
 * directory that disappears sends SQLite back to its usual ones), and
 * SQLITE_TMPDIR, when set, keeps its say.
 */
function useTempDirBeside(db: Database.Database, dir: string): void {
  if (process.env.SQLITE_TMPDIR) return;
  try {
    db.pragma(`temp_store_directory = '${dir.replaceAll("'", "''")}'`);
  } catch {
    // Not writable: SQLite's own temp directory then.
  }
}

/** Opens (creating if needed) the library at `path` and brings its schema up to date. */
export function openLibrary(path: string, opts: OpenLibraryOptions = {}): Library {
  const pageSize = pageSizeOf(opts.pageSize);
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (e) {
    throw new LibraryError('LIBRARY_OPEN', `cannot open the library ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(opts.busyTimeoutMs ?? 10_000))}`);
    // Only takes effect while the file is still empty (before WAL mode writes its header).
    db.pragma(`page_size = ${pageSize}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new LibraryError('LIBRARY_OPEN', `cannot switch ${path} to WAL mode (got ${String(mode)})`);
    db.pragma('synchronous = NORMAL');
    const cacheKiB = Math.max(1024, Math.trunc(opts.cacheKiB ?? 8 * 1024));
    db.pragma(`cache_size = ${-cacheKiB}`);
    // Keyed imports stage rows in TEMP tables (import/tables.ts): the same bound there, not better-sqlite3's 16 MB.
    db.pragma(`temp.cache_size = ${-cacheKiB}`);
    db.pragma('foreign_keys = ON');
    migrate(db);
    db.transaction(() => dropStagingTables(db)).immediate();
    if (path !== '' && path !== ':memory:') {
      const dir = dirname(resolve(path));
      // The other leftover of a killed parallel import: its scratch files beside the library.
      removeStaleScratchDirs(dir);
      useTempDirBeside(db, dir);
    }
  } catch (e) {
    db.close();
    if (e instanceof LibraryError) throw e;
    throw new LibraryError('LIBRARY_OPEN', `cannot open the library ${path}: ${(e as Error).message}`, { cause: e });
  }
  return new Library(path, db);
}
