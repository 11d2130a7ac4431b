/**
 * @module sync/import/parallel
 * The importing thread's side of the parse worker: feeds it the plaintext
 * (copied into transferable buffers, at most MAX_CHUNKS_IN_FLIGHT ahead of
 * what it has taken, so memory stays bounded) and yields its batches as
 * SQLite values. The worker runs compiled JavaScript: when this module runs
 * from TypeScript source (tests), the built sibling under dist/ is used, and
 * where none exists `startParseWorker` returns null (parse in-thread).
 */
import { Worker } from 'node:worker_threads';
import { builtFile } from '../../fs/built-file.js';
import { FormatError, type FormatErrorCode } from '../../formats/errors.js';
import type { ByteSource } from '../../formats/source.js';
import type { FileFormat } from '../../formats/types.js';
import { LibraryError, type LibraryErrorCode } from '../library/errors.js';
import type { ColumnDef } from '../library/schema.js';
import type { SqlValue } from './convert.js';
import { ImportError, type ImportErrorCode } from './errors.js';
import type { ParseWorkerInit, ToWorker } from './parse-worker.js';
import { decodeValues, type WireError, type WireValues } from './wire.js';

const MAX_CHUNKS_IN_FLIGHT = 4;
/** Plaintext bytes per message to the worker. */
const FEED_BYTES = 1 << 20;
/**
 * Rows per batch the worker sends back (unless the caller chose a size).
 * Small enough that a batch's wire string (~70 B/row for phone rows) stays
 * under V8's 128 KiB large-object threshold: larger strings are mmapped and
 * unmapped one by one, and the page faults cost the writing thread more
 * than the parse it was spared (1M rows, CPU of both threads: 4,096 rows
 * 2.62 s, 1,024 rows 2.24 s, peak RSS 263 → 212 MB).
 */
const WORKER_BATCH_ROWS = 1024;

type FromWorker =
  | { type: 'columns'; columns: ColumnDef[] }
  | { type: 'credit' }
  | { type: 'batch'; bytes: number; format: FileFormat; wire: WireValues }
  | { type: 'end'; bytes: number; format: FileFormat }
  | { type: 'error'; error: WireError };

/** The worker script to run, or null (then imports parse in-thread). */
export function workerPath(): string | null {
  return builtFile(import.meta.url, 'sync/import/parse-worker.js');
}

function rebuild(e: WireError): Error {
  const loc = (e.location ?? {}) as Record<string, never>;
  if (e.name === 'ImportError') return new ImportError(e.code as ImportErrorCode, e.message, loc);
  if (e.name === 'FormatError') return new FormatError(e.code as FormatErrorCode, e.message, loc);
  if (e.name === 'LibraryError') return new LibraryError(e.code as LibraryErrorCode, e.message);
  return new Error(`parse worker: ${e.message}`);
}

export interface WorkerBatch {
  values: SqlValue[];
  /** Plaintext bytes read so far. */
  bytes: number;
}

export class ParseWorker {
  /** Known once the first batch (or the end) arrived. */
  format: FileFormat | undefined;
  private readonly inbox: FromWorker[] = [];
  private wake: (() => void) | undefined;
  private failure: Error | undefined;
  private credits = MAX_CHUNKS_IN_FLIGHT;
  private creditWake: (() => void) | undefined;
  private stopped = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'credit') {
        this.credits++;
        this.creditWake?.();
        return;
      }
      this.inbox.push(m);
      this.wake?.();
    });
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', () => this.fail(new Error('the parse worker exited early')));
  }

  /** A running worker, or null when no built worker script exists or no worker can start. */
  static start(source: ByteSource, init: ParseWorkerInit): ParseWorker | null {
    const path = workerPath();
    if (!path) return null;
    let worker: Worker;
    try {
      worker = new Worker(path, { workerData: { batchSize: WORKER_BATCH_ROWS, ...init }, execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')) });
    } catch {
      // A process started with flags a worker may not take (--perf-basic-prof,
      // --cpu-prof…) cannot start one: parse in-thread rather than fail the import.
      return null;
    }
    const pw = new ParseWorker(worker);
    void pw.feed(source);
    return pw;
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.wake?.();
    this.creditWake?.();
  }

  private async feed(source: ByteSource): Promise<void> {
    // Few large messages: each postMessage costs tens of µs whatever its size.
    let buf = new Uint8Array(FEED_BYTES);
    let used = 0;
    const flush = async (): Promise<boolean> => {
      while (this.credits === 0 && !this.stopped && !this.failure) await new Promise<void>((r) => (this.creditWake = r));
      if (this.stopped || this.failure) return false;
      this.credits--;
      const data = used === buf.length ? buf : buf.slice(0, used);
      this.worker.postMessage({ type: 'chunk', data } satisfies ToWorker, [data.buffer as ArrayBuffer]);
      buf = new Uint8Array(FEED_BYTES);
      used = 0;
      return true;
    };
    try {
      for await (const chunk of source as AsyncIterable<Uint8Array>) {
        let off = 0;
        while (off < chunk.length) {
          const n = Math.min(chunk.length - off, buf.length - used);
          buf.set(chunk.subarray(off, off + n), used);
          used += n;
          off += n;
          if (used === buf.length && !(await flush())) return;
        }
      }
      if (used > 0 && !(await flush())) return;
      if (!this.stopped) this.worker.postMessage({ type: 'end' } satisfies ToWorker);
    } catch (e) {
      // The source's own error is what the caller needs (IMPORT_SOURCE), not the worker's silence.
      this.fail(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private async receive(): Promise<FromWorker> {
    // Batches resolve as microtasks; without a turn of the event loop here the
    // source's I/O callbacks (which feed the worker) would wait until the
    // inbox ran dry, and the two threads would take turns instead of overlapping.
    await new Promise<void>((r) => setImmediate(r));
    for (;;) {
      const m = this.inbox.shift();
      if (m) return m;
      if (this.failure) throw this.failure;
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  /** The table's columns (the release schema, or TEXT columns from the file's header). */
  async columns(): Promise<ColumnDef[]> {
    const m = await this.receive();
    if (m.type === 'error') throw rebuild(m.error);
    if (m.type !== 'columns') throw new Error(`parse worker: expected columns, got ${m.type}`);
    return m.columns;
  }

  /** The next batch, or null at the end of the file. */
  async next(): Promise<WorkerBatch | null> {
    const m = await this.receive();
    if (m.type === 'error') throw rebuild(m.error);
    if (m.type === 'end') {
      this.format = m.format;
      return null;
    }
    if (m.type !== 'batch') throw new Error(`parse worker: unexpected ${m.type}`);
    this.format = m.format;
    return { values: decodeValues(m.wire), bytes: m.bytes };
  }

  stop(): void {
    this.stopped = true;
    this.creditWake?.();
    void this.worker.terminate();
  }
}
