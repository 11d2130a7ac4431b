/**
 * @module sync/import/scratch-worker
 * Worker thread entry of the parallel snapshot load (scratch.ts): parses,
 * converts and inserts blocks of CSV/TSV records into a scratch SQLite file
 * of its own, one table per block, so that binding values (the costly part
 * of an import) runs on every core while the library's one writer only
 * copies finished tables. Protocol: in `block` (bytes of whole records, the
 * scratch file and table to load them into), `close` (finish the current
 * file); out `done` (records and lines of a block), `closed`, `error`
 * (location relative to the block; scratch.ts makes it the file's).
 * A scratch file is disposable: no journal, no sync, never read while open.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { readRecords } from '../../formats/read-records.js';
import { quoteIdent } from '../library/naming.js';
import { createTableSql, type ColumnDef } from '../library/schema.js';
import { BatchInserter } from './insert.js';
import { RowConverter } from './rows.js';
import { countLines } from './split.js';
import { toWire } from './wire.js';

export interface ScratchWorkerInit {
  /** The table's columns, as the library creates them. */
  columns: ColumnDef[];
  format: 'csv' | 'tsv';
  /** The file's header record (and any blank lines or BOM before it), put before every block but the first. */
  header: Uint8Array;
  /** Page size of scratch files (any size copies into the library). */
  pageSize: number;
}

export type ToScratch = { type: 'block'; seq: number; file: string; table: string; data: Uint8Array; first: boolean } | { type: 'close' };

/**
 * The parts as the reader's source, in 64 KiB views: the reader copies its
 * first chunks together to sniff them, and a whole block there was 1 MiB of
 * garbage per block (~25 MB of a worker's external memory between GCs).
 */
async function* once(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) for (let o = 0; o < p.length; o += SLICE) yield p.subarray(o, o + SLICE);
}
const SLICE = 64 << 10;
/** The table a block loads into before it is renamed to its own. */
const LOADING = 'dme_loading';

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('scratch-worker must run as a worker thread');
  const init = workerData as ScratchWorkerInit;
  const names = init.columns.map((c) => c.name);
  let db: Database.Database | undefined;
  let file = '';
  const queue: ToScratch[] = [];
  let busy = false;

  let inserter: BatchInserter | undefined;
  const open = (path: string): Database.Database => {
    const d = new Database(path);
    // Renames below only ever touch a scratch file's own block tables: no views or triggers to rewrite.
    d.pragma('legacy_alter_table = ON');
    d.pragma(`page_size = ${init.pageSize}`);
    d.pragma('journal_mode = OFF');
    d.pragma('synchronous = OFF');
    // Pages are only appended: a small cache writes the same bytes (8 MiB measured no faster than 2).
    d.pragma('cache_size = -2048');
    d.exec('BEGIN');
    return d;
  };
  const close = (): void => {
    if (!db) return;
    db.exec('COMMIT');
    db.close();
    db = undefined;
    inserter = undefined;
  };

  async function load(m: Extract<ToScratch, { type: 'block' }>): Promise<void> {
    if (file !== m.file) {
      close();
      db = open(m.file);
      file = m.file;
    }
    // Every block loads into the same table name and is renamed when complete, so one set of prepared
    // statements serves the whole file (SQLite re-prepares them after the rename). A fresh inserter per
    // block left each block's statements (~100 KiB of native memory each) until a full GC: +40 MB at 5M rows.
    db!.exec(createTableSql(LOADING, init.columns, []));
    inserter ??= new BatchInserter(db!, { table: LOADING, columns: names, conflictKeys: [] });
    const reader = readRecords(m.first ? once(m.data) : once(init.header, m.data), { format: init.format });
    let converter: RowConverter | undefined;
    let rows = 0;
    for await (const batch of reader) {
      converter ??= new RowConverter(init.columns, () => init.format);
      rows += inserter.insertAll(converter.convert(batch));
    }
    db!.exec(`ALTER TABLE ${quoteIdent(LOADING)} RENAME TO ${quoteIdent(m.table)}`);
    const lines = countLines(m.data);
    // The buffer goes back for the next block: a received buffer is only freed by a full GC, which a busy worker rarely runs.
    const buffer = m.data.buffer as ArrayBuffer;
    port!.postMessage({ type: 'done', seq: m.seq, records: rows, lines, buffer }, [buffer]);
  }

  async function drain(): Promise<void> {
    if (busy) return;
    busy = true;
    for (let m = queue.shift(); m; m = queue.shift()) {
      try {
        if (m.type === 'close') {
          close();
          port!.postMessage({ type: 'closed', file });
          file = '';
        } else await load(m);
      } catch (e) {
        port!.postMessage({ type: 'error', seq: m.type === 'block' ? m.seq : -1, error: toWire(e) });
      }
    }
    busy = false;
  }

  port.on('message', (m: ToScratch) => {
    queue.push(m);
    void drain();
  });
}

main();
