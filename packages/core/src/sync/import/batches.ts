/**
 * @module sync/import/batches
 * Converted batches of a release, from a parse worker (default: the writing
 * thread then only binds and inserts) or from the same thread (fallback when
 * no built worker exists, or when asked). Both yield identical values and
 * identical errors.
 */
import { readRecords } from '../../formats/read-records.js';
import type { ByteSource } from '../../formats/source.js';
import type { FileFormat, RecordBatch } from '../../formats/types.js';
import type { ColumnDef } from '../library/schema.js';
import { ParseWorker, type WorkerBatch } from './parallel.js';
import type { ParseWorkerInit } from './parse-worker.js';
import { RowConverter } from './rows.js';

export interface BatchStream {
  /** The table's columns; call once, before `next`. */
  columns(): Promise<ColumnDef[]>;
  /** The next batch, or null at the end. */
  next(): Promise<WorkerBatch | null>;
  /** Releases the worker or the reader (idempotent). */
  close(): void;
  readonly format: FileFormat | undefined;
}

class InThreadBatches implements BatchStream {
  private readonly reader;
  private readonly it: AsyncIterator<RecordBatch>;
  private pending: IteratorResult<RecordBatch> | undefined;
  private converter: RowConverter | undefined;

  constructor(
    source: ByteSource,
    private readonly init: ParseWorkerInit,
  ) {
    this.reader = readRecords(source, { ...(init.format ? { format: init.format } : {}), ...(init.fileName ? { fileName: init.fileName } : {}), ...(init.batchSize ? { batchSize: init.batchSize } : {}) });
    this.it = this.reader[Symbol.asyncIterator]();
  }

  get format(): FileFormat | undefined {
    return this.reader.format;
  }

  async columns(): Promise<ColumnDef[]> {
    this.pending = await this.it.next();
    const header = this.pending.done ? this.reader.columns : this.pending.value.columns;
    const columns: ColumnDef[] = this.init.columns.length > 0 ? this.init.columns : header.map((name) => ({ name, type: 'text', nullable: true }));
    this.converter = new RowConverter(columns, () => this.reader.format);
    return columns;
  }

  async next(): Promise<WorkerBatch | null> {
    const step = this.pending ?? (await this.it.next());
    this.pending = undefined;
    if (step.done) return null;
    return { values: this.converter!.convert(step.value), bytes: this.reader.bytes };
  }

  close(): void {
    // Closes the source; never waits on a source that does not answer.
    void this.it.return?.(undefined).catch(() => undefined);
  }
}

export function openBatches(source: ByteSource, init: ParseWorkerInit, useWorker: boolean): BatchStream {
  if (useWorker) {
    const w = ParseWorker.start(source, init);
    if (w) return { columns: () => w.columns(), next: () => w.next(), close: () => w.stop(), get format() { return w.format; } };
  }
  return new InThreadBatches(source, init);
}
