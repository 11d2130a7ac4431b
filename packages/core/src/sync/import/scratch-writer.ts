/**
 * @module sync/import/scratch-writer
 * Worker thread entry that holds a parallel snapshot import's one write
 * transaction (scratch.ts, scratch-sink.ts) on a connection of its own to
 * the library, so that copying scratch tables into the staging table, the
 * table swap and the commit run beside the importing thread, which keeps
 * decrypting and cutting blocks (on one thread the copy and the decryption
 * took turns and left the scratch workers waiting).
 *
 * Protocol, each message answered in order by `ok` or `error` with its id:
 * on start (id 0) BEGIN IMMEDIATE and the staging table; `copy` one scratch
 * table (attached once per file); `commit` the swap, the dataset and
 * release rows and COMMIT; `rollback`. After commit or rollback the
 * connection is closed, so the process holds no lock for the library once
 * the import has settled; a killed process leaves an uncommitted WAL tail
 * that SQLite ignores.
 */
import { close as closeFd, fdatasync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { insertRelease, saveDataset, type LibraryDataset, type ReleaseRecord } from '../library/metadata.js';
import { quoteIdent } from '../library/naming.js';
import type { ColumnDef } from '../library/schema.js';
import { prepareTarget } from './tables.js';
import { toWire } from './wire.js';
import { writerCacheKiB } from './writer-cache.js';

export interface WriterInit {
  path: string;
  busyTimeoutMs: number;
  cacheKiB: number;
  /** The dataset's table; rows go to its staging table until commit. */
  table: string;
  columns: ColumnDef[];
}

export interface CommitInfo {
  dataset: LibraryDataset;
  columns: ColumnDef[];
  release: ReleaseRecord;
}

export type ToWriter =
  | { type: 'copy'; id: number; file: string; table: string }
  | ({ type: 'commit'; id: number } & CommitInfo)
  | { type: 'rollback'; id: number };

/** Tables copied between two flushes of the WAL (a block is ~1 MiB of text, a little more in pages). */
const COPIES_PER_FLUSH = 16;

/**
 * Writes the WAL to disk while the load runs. The commit's checkpoint
 * must fsync the WAL before it copies it into the database, and all of it
 * was still dirty in the page cache then (the kernel's background writeback
 * waits for far more): 5M phone rows, ~350 MB, about a second of the
 * commit's serial tail at 400 MB/s. fdatasync runs in libuv's pool, one at
 * a time, while copying goes on; the transaction's frames are not committed
 * by it (SQLite ignores frames after the last commit frame).
 */
function walFlusher(path: string): { copied(): void; close(): void } {
  let fd: number | undefined;
  let busy = false;
  let closing = false;
  let copies = 0;
  const done = (): void => {
    busy = false;
    if (closing && fd !== undefined && fd >= 0) closeFd(fd, () => undefined);
  };
  return {
    copied() {
      if (closing || busy || ++copies < COPIES_PER_FLUSH) return;
      copies = 0;
      try {
        fd ??= openSync(path, 'r+');
      } catch {
        fd = -1; // no WAL file to flush: the commit does it all
      }
      if (fd < 0) return;
      busy = true;
      fdatasync(fd, done);
    },
    close() {
      if (closing) return;
      closing = true;
      if (!busy && fd !== undefined && fd >= 0) closeFd(fd, () => undefined);
    },
  };
}

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('scratch-writer must run as a worker thread');
  const init = workerData as WriterInit;
  const attached = new Map<string, string>();
  let db: Database.Database | undefined;
  let finish: (() => void) | undefined;
  let staging = '';
  const wal = walFlusher(`${init.path}-wal`);

  const end = (sql: 'COMMIT' | 'ROLLBACK'): void => {
    if (!db) return;
    try {
      if (sql === 'COMMIT' || db.inTransaction) db.exec(sql);
      for (const schema of attached.values()) db.exec(`DETACH ${schema}`);
    } finally {
      wal.close();
      attached.clear();
      if (sql === 'ROLLBACK' || !db.inTransaction) {
        db.close();
        db = undefined;
      }
    }
  };

  try {
    db = new Database(init.path, { fileMustExist: true });
    db.pragma(`busy_timeout = ${init.busyTimeoutMs}`);
    db.pragma('synchronous = NORMAL');
    db.pragma(`cache_size = ${-writerCacheKiB(Number(db.pragma('page_size', { simple: true })), init.cacheKiB)}`);
    db.pragma('foreign_keys = ON');
    db.exec('BEGIN IMMEDIATE');
    const target = prepareTarget(db, init.table, 'snapshot', init.columns, []);
    staging = target.loadTable;
    finish = () => target.finish();
    port.postMessage({ type: 'ok', id: 0 });
  } catch (e) {
    try {
      end('ROLLBACK');
    } catch {
      // the error that matters is the first one
    }
    port.postMessage({ type: 'error', id: 0, error: toWire(e) });
  }

  port.on('message', (m: ToWriter) => {
    try {
      if (m.type === 'rollback') end('ROLLBACK');
      else if (!db) throw new Error('the scratch writer has no transaction');
      else if (m.type === 'copy') {
        let schema = attached.get(m.file);
        if (schema === undefined) {
          schema = quoteIdent(`dme_scratch_${attached.size}`);
          db.prepare(`ATTACH ? AS ${schema}`).run(m.file);
          // Read once, front to back: four 64 KiB pages of cache, not the 16 MiB default per attached file.
          db.pragma(`${schema}.cache_size = -256`);
          attached.set(m.file, schema);
        }
        db.exec(`INSERT INTO main.${quoteIdent(staging)} SELECT * FROM ${schema}.${quoteIdent(m.table)}`);
        wal.copied();
      } else {
        finish!();
        saveDataset(db, m.dataset, init.table, m.columns, m.release.id, m.release.importedAt);
        insertRelease(db, m.release);
        end('COMMIT');
      }
      port.postMessage({ type: 'ok', id: m.id });
    } catch (e) {
      port.postMessage({ type: 'error', id: m.id, error: toWire(e) });
    }
  });
}

main();
