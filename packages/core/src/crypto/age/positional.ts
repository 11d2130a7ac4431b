/**
 * File-to-file STREAM crypto with positional I/O: every worker thread reads
 * its own batches straight from the input file (pread), seals or opens them
 * and writes them straight to their place in the output file (pwrite).
 *
 * Batch k's input and output offsets follow from k alone (chunks have fixed
 * sizes), so workers need no ordering and the main thread moves no bytes:
 * reads, crypto and writes of all batches run on all cores at once. Used only
 * without digests (SHA-256 is sequential) and when both sides are regular
 * files; the streaming pipeline (payload.ts) covers everything else.
 *
 * Invariants: the output is written only at [outOffset, outOffset + result);
 * on any error the caller discards the output (some later batches may have
 * been written). Errors are those of the sequential reader: when several
 * batches fail, the earliest one's error is reported.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CHUNK_SIZE } from './constants.js';
import { AgeError } from './errors.js';
import { openBatch, sealBatch, type OpenedBatch } from './stream.js';
import type { FilePosition } from './source.js';
import { exposeGc, keepFreedChunksMapped } from './worker-tuning.js';

export interface PositionalJob {
  mode: 'seal' | 'open';
  /** The payload key (not the file key). */
  key: Uint8Array;
  input: FilePosition;
  /** Bytes to process from `input.offset` on: plaintext (seal) or STREAM chunks after the nonce (open). */
  length: number;
  output: FilePosition;
  batchChunks: number;
  onProgress?: (bytes: number) => void;
}

interface WorkerData {
  mode: 'seal' | 'open';
  key: Uint8Array;
  chunkSize: number;
  batchChunks: number;
  inFd: number;
  inOffset: number;
  length: number;
  outFd: number;
  outOffset: number;
  first: number;
  stride: number;
}

type FromWorker =
  | { type: 'ready' }
  | { type: 'batch'; inBytes: number; outBytes: number }
  | { type: 'failed'; batch: number; error: NonNullable<OpenedBatch['error']> | { code: 'IO'; message: string } }
  | { type: 'done' };

/** Worker entry point, shipped as source text: no imports, the batch functions come in as arguments. */
function batchWorker(seal: typeof sealBatch, open: typeof openBatch): void {
  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
  const fs = process.getBuiltinModule('node:fs');
  const d = workerData as WorkerData;
  const post = (m: FromWorker): void => parentPort?.postMessage(m);
  const gc = process.getBuiltinModule('node:vm').runInNewContext('typeof gc === "function" ? gc : undefined') as
    | ((o?: { type: string }) => void)
    | undefined;
  post({ type: 'ready' });
  const inSize = d.mode === 'seal' ? d.chunkSize : d.chunkSize + 16;
  const outSize = d.mode === 'seal' ? d.chunkSize + 16 : d.chunkSize;
  const batchIn = d.batchChunks * inSize;
  const batchOut = d.batchChunks * outSize;
  // An empty plaintext still seals to one (empty, final) chunk.
  const batches = Math.max(d.mode === 'seal' ? 1 : 0, Math.ceil(d.length / batchIn));
  const data = new Uint8Array(batchIn);
  const out = new Uint8Array(batchOut);
  for (let k = d.first; k < batches; k += d.stride) {
    const start = k * batchIn;
    const length = Math.min(batchIn, d.length - start);
    let got = 0;
    while (got < length) {
      const n = fs.readSync(d.inFd, data, got, length - got, d.inOffset + start + got);
      if (n === 0) break;
      got += n;
    }
    if (got < length) {
      post({ type: 'failed', batch: k, error: { code: 'IO', message: 'the input file shrank while it was being read' } });
      return;
    }
    const last = k === batches - 1;
    const counter = k * d.batchChunks;
    let outBytes: number;
    let error: OpenedBatch['error'];
    if (d.mode === 'seal') {
      outBytes = seal(d.key, counter, data, length, last, d.chunkSize, out);
    } else {
      const o = open(d.key, counter, data, length, last, d.chunkSize, out);
      outBytes = o.length;
      error = o.error;
    }
    for (let w = 0; w < outBytes; ) w += fs.writeSync(d.outFd, out, w, outBytes - w, d.outOffset + k * batchOut + w);
    if (error) {
      post({ type: 'failed', batch: k, error });
      return;
    }
    post({ type: 'batch', inBytes: length, outBytes });
    gc?.({ type: 'minor' });
  }
  post({ type: 'done' });
}

const WORKER_SOURCE = `(${batchWorker.toString()})(${sealBatch.toString()}, ${openBatch.toString()});\n`;

/** Workers for a job: one per core, at most 8 (more only adds memory), at least 1. */
export function positionalWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** Runs the job; resolves with the bytes written at `output.offset`. */
export async function runPositional(job: PositionalJob): Promise<number> {
  if (job.mode === 'open' && job.length === 0) throw new AgeError('TRUNCATED', 'payload has a nonce but no chunks');
  const stride = positionalWorkers();
  keepFreedChunksMapped();
  exposeGc(true);
  let starting = stride;
  const started = (): void => {
    if (starting > 0 && --starting === 0) exposeGc(false);
  };
  let written = 0;
  let progress = 0;
  const failures: { batch: number; error: Error }[] = [];
  const workers: Worker[] = [];
  const runs: Promise<void>[] = [];
  try {
    for (let first = 0; first < stride; first++) {
      const data: WorkerData = {
        mode: job.mode,
        key: job.key,
        chunkSize: CHUNK_SIZE,
        batchChunks: job.batchChunks,
        inFd: job.input.fd,
        inOffset: job.input.offset,
        length: job.length,
        outFd: job.output.fd,
        outOffset: job.output.offset,
        first,
        stride,
      };
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: data });
      workers.push(w);
      runs.push(
        new Promise<void>((resolve) => {
          let finished = false;
          const end = (failure?: { batch: number; error: Error }): void => {
            if (finished) return;
            finished = true;
            if (failure) failures.push(failure);
            resolve();
          };
          w.on('message', (m: FromWorker) => {
            if (m.type === 'ready') return started();
            if (m.type === 'batch') {
              written += m.outBytes;
              progress += m.inBytes;
              job.onProgress?.(progress);
              return;
            }
            if (m.type === 'done') return end();
            const error = m.error.code === 'IO' ? new Error(m.error.message) : new AgeError(m.error.code, m.error.message);
            end({ batch: m.batch, error });
          });
          // A crash is an internal fault, not bad input: reported unchanged, as batch -1 (first).
          w.on('error', (e) => end({ batch: -1, error: e }));
          w.on('exit', (code) => end(code === 0 ? undefined : { batch: -1, error: new Error(`age worker exited with code ${code}`) }));
        }),
      );
    }
    await Promise.all(runs);
  } finally {
    while (starting > 0) started();
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const first = failures.sort((a, b) => a.batch - b.batch)[0];
  if (first) throw first.error;
  return written;
}
