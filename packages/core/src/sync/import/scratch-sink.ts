/**
 * @module sync/import/scratch-sink
 * The importing thread's side of the scratch writer thread
 * (scratch-writer.ts), where a parallel snapshot load (scratch.ts) copies
 * its finished scratch tables and commits. A library is always a file (it
 * runs in WAL mode), so the writer can open its own connection to it.
 *
 * Invariant: tables are copied one at a time, in the order asked; once
 * `release()` has resolved, the writer holds no transaction, lock or
 * attached file, and its thread is gone.
 */
import { Worker } from 'node:worker_threads';
import { flushWhile } from '../../fs/flush-while.js';
import { LibraryError, type LibraryErrorCode } from '../library/errors.js';
import { ImportError } from './errors.js';
import type { CommitInfo, ToWriter, WriterInit } from './scratch-writer.js';
import type { WireError } from './wire.js';

function rebuild(e: WireError): Error {
  if (e.name === 'LibraryError') return new LibraryError(e.code as LibraryErrorCode, e.message);
  if (e.name === 'SqliteError') return new ImportError('IMPORT_DATABASE', `the library refused the import: ${e.message}`);
  if (e.name === 'ImportError') return new ImportError('IMPORT_DATABASE', e.message);
  return new Error(`scratch writer: ${e.message}`);
}

export class WriterSink {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private crashed: Error | undefined;
  private settled = false;
  /** Resolves once the writer's transaction is open and the staging table made. */
  readonly ready: Promise<void>;

  private readonly path: string;

  constructor(script: string, init: WriterInit) {
    this.path = init.path;
    // A small young generation, as for the scratch workers: the writer's JavaScript only passes messages.
    this.worker = new Worker(script, { workerData: init, resourceLimits: { maxYoungGenerationSizeMb: 4 }, execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')) });
    this.ready = this.expect(0);
    this.worker.on('message', (m: { type: 'ok' | 'error'; id: number; error?: WireError }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.type === 'ok') p?.resolve();
      else p?.reject(rebuild(m.error!));
    });
    const crash = (e: Error): void => {
      this.crashed ??= e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    this.worker.on('error', crash);
    this.worker.on('exit', () => crash(new Error('the scratch writer exited early')));
  }

  private expect(id: number): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    done.catch(() => undefined); // awaited by whoever asked; an early rejection is not unhandled
    return done;
  }

  private ask(m: ToWriter): Promise<void> {
    if (this.crashed) return Promise.reject(this.crashed);
    const done = this.expect(m.id);
    this.worker.postMessage(m);
    return done;
  }

  async copy(file: string, table: string): Promise<void> {
    await this.ready;
    return this.ask({ type: 'copy', id: this.nextId++, file, table });
  }

  async commit(info: CommitInfo): Promise<void> {
    await this.ready;
    const committing = this.ask({ type: 'commit', id: this.nextId++, ...info });
    // The commit checkpoints the whole load into the library file; this thread has nothing else to do meanwhile.
    await Promise.all([committing, flushWhile(this.path, committing)]);
    this.settled = true;
  }

  async release(): Promise<void> {
    try {
      // Rolled back and closed before the thread goes: a connection left open would keep this process's lock.
      if (!this.settled) await this.ask({ type: 'rollback', id: this.nextId++ });
    } catch {
      // A writer that crashed or failed to open holds no transaction.
    } finally {
      this.settled = true;
      await this.worker.terminate();
    }
  }
}
