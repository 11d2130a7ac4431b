/**
 * @module sync/import/scratch-plan
 * Decides whether a snapshot import takes the parallel scratch load
 * (scratch.ts) or the serial path: only a release known to be big — its
 * manifest counts at least `minRows` records or declares at least
 * `minBytes` of plaintext (a producer publishing without a profile gives
 * a size but no count); a small or unsized file does not repay starting
 * workers and streams serially — only uncompressed CSV/TSV (from its first
 * bytes), only when a built worker script exists and the machine has a
 * core to spare. Whatever was read to decide is replayed, so either path
 * sees the source from its first byte.
 */
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { builtFile } from '../../fs/built-file.js';
import { detectFormat, isGzip } from '../../formats/detect.js';
import { readRecords } from '../../formats/read-records.js';
import type { ByteSource } from '../../formats/source.js';
import type { FileFormat } from '../../formats/types.js';
import type { ColumnDef } from '../library/schema.js';
import { MAX_ATTACHED, ScratchLoad } from './scratch.js';
import { WriterSink } from './scratch-sink.js';
import type { WriterInit } from './scratch-writer.js';
import { countLines, headerEnd } from './split.js';

export interface ScratchTuning {
  /** Releases with at least this many expected rows take the parallel path. Default 100,000. */
  minRows?: number;
  /** Releases with at least this many plaintext bytes take the parallel path. Default 8 MiB (≈ 100,000 phone rows). */
  minBytes?: number;
  /** Plaintext bytes per block. Default 1 MiB (4 MiB: the same CPU, ~50 MB more peak RSS). */
  blockBytes?: number;
  /** Plaintext bytes per round (tests: several rounds from a small file). Default: from the expected rows. */
  roundBytes?: number;
  /** Worker threads. Default: 2 when the machine has 2 cores or more. */
  workers?: number;
}

export type ScratchPlan =
  | { kind: 'serial'; source: ByteSource }
  | {
      kind: 'scratch';
      chunks: AsyncIterable<Uint8Array>;
      format: 'csv' | 'tsv';
      delim: number;
      /** The header record with anything before it (BOM, blank lines). */
      header: Uint8Array;
      headerLines: number;
      /** Column names from the header. */
      names: readonly string[];
      /** Plaintext bytes per line in the first bytes, to size rounds. */
      bytesPerLine: number;
      blockBytes: number;
      workers: number;
      workerScript: string;
    };

/** The built scratch worker, or null (tests from TypeScript source without a build: serial). */
export function scratchWorkerPath(): string | null {
  return builtFile(import.meta.url, 'sync/import/scratch-worker.js');
}

/** The source from the start: `head` then the rest of `it`; returning early closes the source. */
async function* replay(head: Uint8Array[], it: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    // Shifted out, so the first megabytes are not held for the whole import.
    for (let c = head.shift(); c; c = head.shift()) yield c;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  } finally {
    await it.return?.();
  }
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** Bytes read before deciding: enough to detect the format, find the header and estimate the row size. */
const PEEK_BYTES = 256 << 10;

/** What the release declares about its size (the manifest's record count and plaintext size), when known. */
export interface ExpectedSize {
  rows?: number | undefined;
  bytes?: number | undefined;
}

/** Whether the declared size repays starting workers. */
export function bigEnough(expected: ExpectedSize, tuning: ScratchTuning = {}): boolean {
  return (expected.rows ?? -1) >= (tuning.minRows ?? 100_000) || (expected.bytes ?? -1) >= (tuning.minBytes ?? 8 << 20);
}

export async function planScratch(source: ByteSource, hints: { format?: FileFormat; fileName?: string }, expected: ExpectedSize, tuning: ScratchTuning = {}): Promise<ScratchPlan> {
  const workers = tuning.workers ?? (availableParallelism() >= 2 ? 2 : 0);
  const workerScript = scratchWorkerPath();
  if (workers < 1 || !workerScript || !bigEnough(expected, tuning)) return { kind: 'serial', source };
  const minBytes = PEEK_BYTES;
  const it = (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let size = 0;
  while (size < minBytes) {
    const r = await it.next();
    if (r.done) break;
    head.push(r.value);
    size += r.value.length;
  }
  const chunks = replay(head, it);
  if (size === 0) return { kind: 'serial', source: chunks };
  const first = Buffer.concat(head);
  const format = hints.format ?? detectFormat(first, hints.fileName);
  if (isGzip(first) || (format !== 'csv' && format !== 'tsv')) return { kind: 'serial', source: chunks };
  const delim = format === 'csv' ? 0x2c : 0x09;
  const end = headerEnd(first, delim);
  if (end < 0) return { kind: 'serial', source: chunks }; // a header longer than the peek: rare enough to stream
  const header = Uint8Array.prototype.slice.call(first, 0, end); // a copy: a view would keep all of `first`
  // The header's names exactly as the serial reader would give them (and its errors, e.g. a duplicate name).
  const reader = readRecords(once(header), { format });
  for await (const b of reader) void b;
  const lines = countLines(first);
  return {
    kind: 'scratch',
    chunks,
    format,
    delim,
    header,
    headerLines: countLines(header),
    names: reader.columns,
    bytesPerLine: lines > 0 ? size / lines : size,
    blockBytes: tuning.blockBytes ?? 1 << 20,
    workers,
    workerScript,
  };
}

/**
 * Page size of scratch files: fewer, larger writes for the workers and
 * reads for the copy; records copy into the library's own page size.
 */
export const SCRATCH_PAGE_SIZE = 65536;
/** Round size when the release's row count is unknown. */
const DEFAULT_ROUND_BYTES = 64 << 20;

/**
 * Plaintext bytes per round: the whole file over the rounds available, so
 * every file is used, the last round half as big (its copy is the part that
 * cannot overlap the loading).
 */
export function roundBytesFor(expected: ExpectedSize, bytesPerLine: number, workers: number, tuning?: false | ScratchTuning): number {
  if (tuning && tuning.roundBytes) return tuning.roundBytes;
  // The declared plaintext size is exact; a size from the row count is an estimate from the first lines.
  const total = expected.bytes !== undefined && expected.bytes > 0 ? expected.bytes : expected.rows !== undefined && expected.rows > 0 ? expected.rows * bytesPerLine : 0;
  if (total <= 0) return DEFAULT_ROUND_BYTES;
  const rounds = Math.max(1, Math.floor(MAX_ATTACHED / workers));
  return Math.max(1 << 20, Math.ceil(total / Math.max(1, rounds - 0.5)));
}

/** A running scratch load, or null when no worker can start (the caller then loads serially). */
export function startScratch(writer: WriterInit, columns: ColumnDef[], plan: Extract<ScratchPlan, { kind: 'scratch' }>, roundBytes: number, libraryPath: string): ScratchLoad | null {
  const writerScript = builtFile(import.meta.url, 'sync/import/scratch-writer.js');
  if (!writerScript) return null;
  let sink: WriterSink | undefined;
  try {
    sink = new WriterSink(writerScript, writer);
    return new ScratchLoad(sink, { columns, format: plan.format, header: plan.header, names: plan.names, pageSize: SCRATCH_PAGE_SIZE }, {
      workers: plan.workers,
      blockBytes: plan.blockBytes,
      roundBytes,
      parentDir: scratchParent(libraryPath),
      workerScript: plan.workerScript,
    });
  } catch {
    void sink?.release();
    return null;
  }
}

/** Where scratch directories go: beside the library (same disk), or the temp dir for an in-memory one. */
export function scratchParent(libraryPath: string): string {
  return libraryPath === '' || libraryPath === ':memory:' ? tmpdir() : dirname(resolve(libraryPath));
}
