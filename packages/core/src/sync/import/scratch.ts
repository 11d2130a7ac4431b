/**
 * @module sync/import/scratch
 * Parallel snapshot load. The library has one writer, and building records
 * is what an import spends most of its time on, so that work moves to
 * scratch workers (scratch-worker.ts): the plaintext is cut into blocks of
 * whole records (split.ts), dealt round-robin to the workers, and each
 * worker turns each block into a table of its own in a scratch database
 * file, written without SQLite (scratch-file.ts). Finished files are
 * ATTACHed and their tables copied, in file order, into the staging table
 * with `INSERT INTO staging SELECT * FROM scratch.block`: identical STRICT
 * tables without indexes take SQLite's transfer optimisation, which moves
 * whole records without decoding them (≈ 0.25 CPU-s per million phone
 * rows). The copy runs in the scratch writer thread, which holds the
 * import's transaction (scratch-sink.ts), so the importing thread only
 * decrypts and cuts blocks.
 *
 * Invariants:
 * - Everything happens inside the import's one write transaction (the
 *   writer thread's, committed with the dataset and release rows), so the
 *   guarantees of import.ts hold unchanged. SQLite can ATTACH inside a
 *   transaction but not DETACH a file it read, and attaches at most
 *   MAX_ATTACHED files: the load runs in at most MAX_ATTACHED / workers
 *   rounds, each with one file per worker, copied while the next round
 *   is being loaded. `release()` rolls back what was not committed,
 *   detaches the files and deletes the scratch directory, also on failure; a killed process's
 *   directory is removed by the next openLibrary or scratch load beside it
 *   (library/scratch-dirs.ts).
 * - A worker never touches a file after closing it, and the importing
 *   thread only reads closed files; a round's files are emptied once all
 *   their tables were copied, and never read again.
 * - Rows keep file order (rowid order), errors name the file's line
 *   (relocate.ts), the earliest failing block wins.
 * - Memory: at most MAX_BLOCKS_IN_FLIGHT blocks per worker.
 */
import { rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { makeScratchDir, removeStaleScratchDirs } from '../library/scratch-dirs.js';
import { relocate, type BlockOrigin } from './relocate.js';
import type { WriterSink } from './scratch-sink.js';
import type { CommitInfo } from './scratch-writer.js';
import type { ScratchWorkerInit, ToScratch } from './scratch-worker.js';
import { lastRecordEnd } from './split.js';
import type { WireError } from './wire.js';

/** better-sqlite3's SQLITE_MAX_ATTACHED. */
export const MAX_ATTACHED = 10;
const MAX_BLOCKS_IN_FLIGHT = 2;

export interface ScratchOptions {
  workers: number;
  /** Plaintext bytes per block (rounded to whole records). */
  blockBytes: number;
  /** Plaintext bytes per round; the last round takes whatever remains. */
  roundBytes: number;
  /** Directory to create the scratch directory in (the library's, so temp space is where the library is). */
  parentDir: string;
  workerScript: string;
}

interface Block {
  seq: number;
  byte: number;
  worker: number;
  file: string;
  /** Offset just past the block in the file. */
  end: number;
  done: Promise<{ records: number; lines: number }>;
}

interface Pending<T> {
  resolve: (v: T) => void;
  reject: (e: WireError | Error) => void;
}

function deferred<T>(): { promise: Promise<T> } & Pending<T> {
  let p!: Pending<T>;
  const promise = new Promise<T>((resolve, reject) => (p = { resolve, reject }));
  promise.catch(() => undefined); // awaited in file order; an early rejection is not unhandled
  return { promise, ...p };
}

export class ScratchLoad {
  private readonly workers: Worker[];
  private readonly dir: string;
  private readonly blocks = new Map<number, Pending<{ records: number; lines: number }>>();
  private readonly closes: Pending<void>[][];
  private readonly inFlight: number[];
  private readonly creditWait: ((() => void) | undefined)[];
  /** Block buffers the workers gave back, reused so memory stays at the blocks in flight. */
  private readonly spare: ArrayBuffer[] = [];
  private failure: Error | undefined;
  private released = false;

  constructor(
    private readonly sink: WriterSink,
    init: ScratchWorkerInit,
    private readonly opts: ScratchOptions,
  ) {
    removeStaleScratchDirs(opts.parentDir);
    this.dir = makeScratchDir(opts.parentDir);
    this.closes = Array.from({ length: opts.workers }, () => []);
    this.inFlight = new Array<number>(opts.workers).fill(0);
    this.creditWait = new Array<(() => void) | undefined>(opts.workers).fill(undefined);
    this.workers = [];
    try {
      for (let w = 0; w < opts.workers; w++) this.workers.push(this.startWorker(w, init));
    } catch (e) {
      void this.release();
      throw e;
    }
  }

  private startWorker(w: number, init: ScratchWorkerInit): Worker {
    // A small young generation: a worker's live data is one block, and V8's default (up to 48 MiB) per worker cost
    // ~45 MB of peak RSS for two workers (1M phone rows) at no measurable CPU saving.
    const worker = new Worker(this.opts.workerScript, { workerData: init, resourceLimits: { maxYoungGenerationSizeMb: 6 }, execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')) });
    type FromScratch = { type: 'done'; seq: number; records: number; lines: number; buffer: ArrayBuffer } | { type: 'closed' } | { type: 'error'; seq: number; error: WireError };
    worker.on('message', (m: FromScratch) => {
      if (m.type === 'closed') return this.closes[w]!.shift()?.resolve();
      if (m.type === 'error' && m.seq < 0) return this.closes[w]!.shift()?.reject(m.error);
      const p = this.blocks.get(m.seq);
      this.blocks.delete(m.seq);
      this.inFlight[w]!--;
      this.creditWait[w]?.();
      if (m.type === 'error') {
        this.failure ??= new Error('a block failed'); // stops reading; the error itself is raised in file order
        p?.reject(m.error);
      } else {
        this.spare.push(m.buffer);
        p?.resolve({ records: m.records, lines: m.lines });
      }
    });
    const crash = (e: Error): void => {
      this.failure ??= e;
      for (const p of this.blocks.values()) p.reject(e);
      this.blocks.clear();
      for (const c of this.closes.flat()) c.reject(e);
      for (const c of this.creditWait) c?.();
    };
    worker.on('error', crash);
    worker.on('exit', () => this.released || crash(new Error('a scratch worker exited early')));
    return worker;
  }

  /**
   * Loads every record of `chunks` (the plaintext from its first byte, the
   * header included) into the staging table; returns the record count.
   */
  async load(chunks: AsyncIterable<Uint8Array>, delim: number, header: { bytes: number; lines: number }, onProgress?: (rows: number, bytes: number) => void): Promise<number> {
    const K = this.workers.length;
    const maxRounds = Math.max(1, Math.floor(MAX_ATTACHED / K));
    const state = { records: 0, lines: 0 };
    let round = 0;
    let roundBlocks: Block[] = [];
    let roundBytes = 0;
    let copying: Promise<void> = Promise.resolve();
    let seq = 0;
    let byte = 0;
    const finishRound = (): void => {
      const blocks = roundBlocks;
      roundBlocks = [];
      roundBytes = 0;
      round++;
      const closed = [...new Set(blocks.map((b) => b.worker))].map((w) => {
        const d = deferred<void>();
        this.closes[w]!.push(d);
        this.workers[w]!.postMessage({ type: 'close' } satisfies ToScratch);
        return d.promise;
      });
      copying = copying.then(async () => {
        await Promise.all(closed);
        await this.copyRound(blocks, state, header, onProgress);
      });
      copying.catch(() => (this.failure ??= new Error('a round failed')));
    };
    const dispatch = async (data: Uint8Array): Promise<void> => {
      const w = seq % K;
      while (this.inFlight[w]! >= MAX_BLOCKS_IN_FLIGHT && !this.failure) await new Promise<void>((r) => (this.creditWait[w] = r));
      if (this.failure) return;
      const file = join(this.dir, `r${round}-w${w}.db`);
      const d = deferred<{ records: number; lines: number }>();
      this.blocks.set(seq, d);
      this.inFlight[w]!++;
      // Read before the transfer below detaches the buffer (its length is 0 after).
      const length = data.length;
      roundBlocks.push({ seq, byte, end: byte + length, worker: w, file, done: d.promise });
      this.workers[w]!.postMessage({ type: 'block', seq, file, table: `b${seq}`, data, first: seq === 0 } satisfies ToScratch, [data.buffer as ArrayBuffer]);
      seq++;
      byte += length;
      roundBytes += length;
      if (roundBytes >= this.opts.roundBytes && round < maxRounds - 1) finishRound();
    };

    const size = this.opts.blockBytes;
    let buf: Uint8Array = new Uint8Array(size);
    let used = 0;
    for await (const chunk of chunks) {
      if (this.failure) break;
      let off = 0;
      while (off < chunk.length) {
        if (used === buf.length) {
          const end = lastRecordEnd(buf, 0, delim);
          if (end < 0) {
            // One record longer than a block: grow until it ends.
            const bigger = new Uint8Array(buf.length * 2);
            bigger.set(buf);
            buf = bigger;
            continue;
          }
          const next = this.buffer(Math.max(size, used - end));
          next.set(buf.subarray(end, used));
          await dispatch(buf.subarray(0, end));
          buf = next;
          used -= end;
          if (this.failure) break;
        }
        const n = Math.min(chunk.length - off, buf.length - used);
        buf.set(chunk.subarray(off, off + n), used);
        used += n;
        off += n;
      }
    }
    if (!this.failure && (used > 0 || seq === 0)) await dispatch(buf.subarray(0, used));
    if (roundBlocks.length) finishRound();
    await copying;
    return state.records;
  }

  private buffer(size: number): Uint8Array {
    const i = this.spare.findIndex((b) => b.byteLength >= size);
    return i < 0 ? new Uint8Array(size) : new Uint8Array(this.spare.splice(i, 1)[0]!);
  }

  /** Copies one round's tables, in file order, into the staging table; the first failed block fails the load. */
  private async copyRound(blocks: Block[], state: { records: number; lines: number }, header: { bytes: number; lines: number }, onProgress?: (rows: number, bytes: number) => void): Promise<void> {
    // Every table of the round is queued at once, so the writer copies them back to back. Asked one at a
    // time, each next copy waited for this thread, which is busy decrypting: the writer sat idle through the
    // load and copied most rounds after it (5M phone rows: writer 0.1-0.25 of a core during the load, then
    // ~1 s alone). Blocks are checked in file order first; a failed one stops the queueing there.
    const tally = { records: state.records, lines: state.lines };
    const copies: Array<{ end: number; records: number; lines: number; copied: Promise<void> }> = [];
    for (const b of blocks) {
      let counts: { records: number; lines: number };
      try {
        counts = await b.done;
        // The import may have ended (failed, rolled back) while this round waited: never write outside it.
        if (this.released) throw new Error('the scratch load was released');
      } catch (e) {
        if (e instanceof Error) throw e; // the worker crashed
        const first = b.seq === 0;
        const origin: BlockOrigin = { records: tally.records, lines: tally.lines, byte: b.byte, prefixLines: first ? 0 : header.lines, prefixBytes: first ? 0 : header.bytes };
        throw relocate(e as WireError, origin);
      }
      tally.records += counts.records;
      tally.lines += counts.lines;
      copies.push({ end: b.end, ...counts, copied: this.sink.copy(b.file, `b${b.seq}`) });
    }
    for (const c of copies) {
      await c.copied;
      if (this.released) throw new Error('the scratch load was released');
      state.records += c.records;
      state.lines += c.lines;
      onProgress?.(state.records, c.end);
    }
    // Nothing reads the round's files again: emptied now, their pages go back to the system while the load goes
    // on, and the WAL and then the checkpoint reuse them. On this VM, page cache it has not handed out lately is
    // what makes a pull slow: `dme sync --once` of 5M rows, 8 alternating pairs, the writer thread's system
    // time 0.70-0.96 s with this against 0.79-1.98 s without, the pull 4.25-5.19 s against 4.34-6.28 s.
    // They stay attached until the transaction ends (SQLite cannot DETACH a file it read inside one), and
    // SQLite reads an attached database only when a statement uses it, not at COMMIT. An optimisation only.
    for (const file of new Set(blocks.map((b) => b.file))) {
      try {
        truncateSync(file, 0);
      } catch {
        // the file is deleted with the scratch directory anyway
      }
    }
  }

  /** Commits the import: the swap, `info`'s dataset and release rows, in the writer's transaction. */
  commit(info: CommitInfo): Promise<void> {
    return this.sink.commit(info);
  }

  /** Stops the workers, rolls the writer back unless it committed, and deletes the scratch files. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    for (const w of this.workers) void w.terminate();
    try {
      await this.sink.release();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
