/**
 * @module sync/import/scratch-worker
 * Worker thread entry of the parallel snapshot load (scratch.ts): turns
 * blocks of CSV/TSV records into tables of a scratch database file of its
 * own, one table per block, written in SQLite's format without SQLite
 * (scratch-file.ts), so that building records (the costly part of an
 * import) runs on every core while the library's one writer only copies
 * finished tables. A block takes the byte-level path when it can
 * (scratch-fast.ts), else the serial path's reader and converters.
 * Protocol: in `block` (bytes of whole records, the scratch file and table
 * to load them into), `close` (finish the current file); out `done`
 * (records and lines of a block), `closed`, `error` (location relative to
 * the block; scratch.ts makes it the file's). A scratch file is never read
 * while open.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readRecords } from '../../formats/read-records.js';
import { SQLITE_TYPES, createTableSql, type ColumnDef } from '../library/schema.js';
import { RowConverter } from './rows.js';
import { ScratchFile } from './scratch-file.js';
import { recordEncoder } from './record-encoder.js';
import { fastLayout, loadFast } from './scratch-fast.js';
import { countLines } from './split.js';
import { toWire } from './wire.js';

export interface ScratchWorkerInit {
  /** The table's columns, as the library creates them. */
  columns: ColumnDef[];
  format: 'csv' | 'tsv';
  /** The file's header record (and any blank lines or BOM before it), put before every block but the first. */
  header: Uint8Array;
  /** The header's column names, as the reader gives them. */
  names: readonly string[];
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

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('scratch-worker must run as a worker thread');
  const init = workerData as ScratchWorkerInit;
  const types = init.columns.map((c) => SQLITE_TYPES[c.type]);
  const layout = fastLayout(init.columns, init.names);
  const delim = init.format === 'csv' ? 0x2c : 0x09;
  const headerLines = countLines(init.header);
  let out: ScratchFile | undefined;
  let file = '';
  const queue: ToScratch[] = [];
  let busy = false;

  const close = (): void => {
    out?.close();
    out = undefined;
  };

  async function load(m: Extract<ToScratch, { type: 'block' }>): Promise<void> {
    if (file !== m.file) {
      close();
      // One file is open at a time, so it can build its leaves in the encoder's memory (scratch-fast.ts).
      out = new ScratchFile(m.file, init.pageSize, recordEncoder()?.page);
      file = m.file;
    }
    const o = out!;
    o.rewind(); // after a failed block, whatever it appended
    let lines = layout ? loadFast(m.data, m.first ? init.header.length : 0, delim, layout, o) : -1;
    if (lines >= 0 && m.first) lines += headerLines;
    if (lines < 0) {
      o.rewind();
      const reader = readRecords(m.first ? once(m.data) : once(init.header, m.data), { format: init.format });
      let converter: RowConverter | undefined;
      const w = types.length;
      for await (const batch of reader) {
        converter ??= new RowConverter(init.columns, () => init.format);
        const values = converter.convert(batch);
        for (let base = 0; base < values.length; base += w) o.appendRow(values, base, types);
      }
      lines = countLines(m.data);
    }
    const rows = o.rows;
    o.endTable(m.table, createTableSql(m.table, init.columns, []));
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
