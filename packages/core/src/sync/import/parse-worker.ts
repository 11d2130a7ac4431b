/**
 * @module sync/import/parse-worker
 * Worker thread entry: parses and converts the plaintext the importing
 * thread sends it, and posts back wire-encoded batches, so that thread only
 * binds and inserts. Protocol (see parallel.ts): in `chunk`, `end`; out
 * `columns` (once, before any batch), `credit` (a chunk was taken: send
 * another), `batch`, `end`, `error`. Errors travel as plain data and are
 * rebuilt on the other side with the same class and code.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readRecords } from '../../formats/read-records.js';
import type { FileFormat } from '../../formats/types.js';
import type { ColumnDef } from '../library/schema.js';
import { RowConverter } from './rows.js';
import { encodeValues, toWire } from './wire.js';

export interface ParseWorkerInit {
  /** The release schema; empty → every column of the file as nullable TEXT. */
  columns: ColumnDef[];
  format?: FileFormat;
  fileName?: string;
  batchSize?: number;
}

export type ToWorker = { type: 'chunk'; data: Uint8Array } | { type: 'end' };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('parse-worker must run as a worker thread');
  const init = workerData as ParseWorkerInit;
  const queue: ToWorker[] = [];
  let wake: (() => void) | undefined;
  port.on('message', (m: ToWorker) => {
    queue.push(m);
    wake?.();
  });
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      const m = queue.shift()!;
      if (m.type === 'end') return;
      port!.postMessage({ type: 'credit' });
      yield m.data;
    }
  }
  const reader = readRecords(chunks(), { ...(init.format ? { format: init.format } : {}), ...(init.fileName ? { fileName: init.fileName } : {}), ...(init.batchSize ? { batchSize: init.batchSize } : {}) });
  let converter: RowConverter | undefined;
  const start = (header: readonly string[]): RowConverter => {
    const columns: ColumnDef[] = init.columns.length > 0 ? init.columns : header.map((name) => ({ name, type: 'text', nullable: true }));
    port.postMessage({ type: 'columns', columns });
    return new RowConverter(columns, () => reader.format);
  };
  try {
    for await (const batch of reader) {
      converter ??= start(batch.columns);
      const wire = encodeValues(converter.convert(batch));
      const transfer = 'nulls' in wire && wire.nulls ? [wire.nulls.buffer as ArrayBuffer] : [];
      port.postMessage({ type: 'batch', bytes: reader.bytes, format: reader.format, wire }, transfer);
    }
    converter ??= start(reader.columns);
    port.postMessage({ type: 'end', bytes: reader.bytes, format: reader.format });
  } catch (e) {
    port.postMessage({ type: 'error', error: toWire(e) });
  }
  port.close();
}

void main();
