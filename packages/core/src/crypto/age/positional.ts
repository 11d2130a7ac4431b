/**
 * File-to-file STREAM crypto with positional I/O: every thread reads its own
 * batches straight from the input file (pread), seals or opens them and
 * writes them straight to their place in the output file (pwrite).
 *
 * Batch k's input and output offsets follow from k alone (chunks have fixed
 * sizes), so threads need no ordering and none moves another's bytes. Batches
 * are claimed from a shared counter, so a thread that starts late (a worker
 * still booting) or runs slow simply takes fewer. With `shareThread`, the
 * calling thread claims batches too, one at a time between turns of its
 * event loop (its other work waits up to a batch), and one worker fewer is
 * started: on a command line that saves a
 * worker's start-up (~2,000 page faults, ~0.1 CPU-s here) and puts the
 * caller to work while the others boot. Used only without digests (SHA-256 is
 * sequential) and when both sides are regular files; the streaming pipeline
 * (payload.ts) covers everything else.
 *
 * Invariants: the output is written only at [outOffset, outOffset + result);
 * on any error the caller discards the output (some later batches may have
 * been written). Errors are those of the sequential reader: batches are
 * claimed in increasing order and every claimed batch below a failure is
 * still finished, so the earliest failing batch is always reported.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { exposeGc } from '../../runtime/gc.js';
import { CHUNK_SIZE } from './constants.js';
import { AgeError } from './errors.js';
import { openBatch, sealBatch, type OpenedBatch } from './stream.js';
import type { FilePosition } from './source.js';
import { keepFreedChunksMapped, youngGc } from './worker-tuning.js';

export interface PositionalJob {
  mode: 'seal' | 'open';
  /** The payload key (not the file key). */
  key: Uint8Array;
  input: FilePosition;
  /** Bytes to process from `input.offset` on: plaintext (seal) or STREAM chunks after the nonce (open). */
  length: number;
  output: FilePosition;
  batchChunks: number;
  /** The calling thread processes batches too, synchronously (see the module doc). */
  shareThread?: boolean;
  onProgress?: (bytes: number) => void;
}

interface BatchPlan {
  mode: 'seal' | 'open';
  key: Uint8Array;
  chunkSize: number;
  batchChunks: number;
  inFd: number;
  inOffset: number;
  length: number;
  outFd: number;
  outOffset: number;
  /** Int32 [next batch to claim, earliest failed batch] over a SharedArrayBuffer. */
  claims: SharedArrayBuffer;
}

type BatchFailure = NonNullable<OpenedBatch['error']> | { code: 'IO'; message: string };

type BatchEvent = { type: 'batch'; inBytes: number; outBytes: number } | { type: 'failed'; batch: number; error: BatchFailure };

type FromWorker = { type: 'ready' } | BatchEvent | { type: 'done' };

/**
 * A claimer: each call claims and processes the next batch, and returns false
 * once none is left or an earlier one failed. SELF-CONTAINED like the batch
 * functions (no imports, no closure variables): workers get it as source
 * text, the calling thread calls it directly.
 */
function batchClaimer(
  d: BatchPlan,
  seal: typeof sealBatch,
  open: typeof openBatch,
  report: (e: BatchEvent) => void,
  afterBatch: () => void,
): () => boolean {
  const fs = process.getBuiltinModule('node:fs');
  const claims = new Int32Array(d.claims);
  const inSize = d.mode === 'seal' ? d.chunkSize : d.chunkSize + 16;
  const outSize = d.mode === 'seal' ? d.chunkSize + 16 : d.chunkSize;
  const batchIn = d.batchChunks * inSize;
  const batchOut = d.batchChunks * outSize;
  // An empty plaintext still seals to one (empty, final) chunk.
  const batches = Math.max(d.mode === 'seal' ? 1 : 0, Math.ceil(d.length / batchIn));
  const fail = (k: number, error: BatchFailure): boolean => {
    // Lower the shared "earliest failure" to k (no Atomics.min in JS).
    for (let seen = Atomics.load(claims, 1); k < seen; seen = Atomics.load(claims, 1)) {
      if (Atomics.compareExchange(claims, 1, seen, k) === seen) break;
    }
    report({ type: 'failed', batch: k, error });
    return false;
  };
  let data: Uint8Array | undefined;
  let out: Uint8Array | undefined;
  return () => {
    const k = Atomics.add(claims, 0, 1);
    if (k >= batches || k > Atomics.load(claims, 1)) return false;
    data ??= new Uint8Array(batchIn);
    out ??= new Uint8Array(batchOut);
    const start = k * batchIn;
    const length = Math.min(batchIn, d.length - start);
    let got = 0;
    while (got < length) {
      const n = fs.readSync(d.inFd, data, got, length - got, d.inOffset + start + got);
      if (n === 0) break;
      got += n;
    }
    if (got < length) return fail(k, { code: 'IO', message: 'the input file shrank while it was being read' });
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
    // One chunk per write, as age writes: a 1 MiB write at an aligned offset makes the kernel take a 1 MiB
    // page-cache folio, and on this VM such writes cost ~10x the CPU (1 GiB decrypt: 47% of samples in
    // copy_folio_from_iter_atomic; 2.6-4.1 CPU-s and 1.5-2.4 s against 1.24 CPU-s and 0.73 s per chunk).
    for (let w = 0; w < outBytes; ) w += fs.writeSync(d.outFd, out, w, Math.min(outBytes - w, outSize), d.outOffset + k * batchOut + w);
    if (error) return fail(k, error);
    report({ type: 'batch', inBytes: length, outBytes });
    afterBatch();
    return true;
  };
}

/** Worker entry point, shipped as source text: the functions come in as arguments. */
function batchWorker(claimer: typeof batchClaimer, seal: typeof sealBatch, open: typeof openBatch): void {
  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
  const post = (m: FromWorker): void => parentPort?.postMessage(m);
  const gc = process.getBuiltinModule('node:vm').runInNewContext('typeof gc === "function" ? gc : undefined') as
    | ((o?: { type: string }) => void)
    | undefined;
  post({ type: 'ready' });
  const next = claimer(workerData as BatchPlan, seal, open, post, () => gc?.({ type: 'minor' }));
  while (next());
  post({ type: 'done' });
}

const WORKER_SOURCE = `(${batchWorker.toString()})(${batchClaimer.toString()}, ${sealBatch.toString()}, ${openBatch.toString()});\n`;

/** Threads for a job: one per core, at most 8 (more only adds memory), at least 1. */
export function positionalWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** Runs the job; resolves with the bytes written at `output.offset`. */
export async function runPositional(job: PositionalJob): Promise<number> {
  if (job.mode === 'open' && job.length === 0) throw new AgeError('TRUNCATED', 'payload has a nonce but no chunks');
  const threads = positionalWorkers();
  const workerCount = job.shareThread ? threads - 1 : threads;
  keepFreedChunksMapped();
  const claims = new SharedArrayBuffer(8);
  new Int32Array(claims)[1] = 0x7fffffff;
  const plan: BatchPlan = {
    mode: job.mode,
    key: job.key,
    chunkSize: CHUNK_SIZE,
    batchChunks: job.batchChunks,
    inFd: job.input.fd,
    inOffset: job.input.offset,
    length: job.length,
    outFd: job.output.fd,
    outOffset: job.output.offset,
    claims,
  };
  let written = 0;
  let progress = 0;
  const failures: { batch: number; error: Error }[] = [];
  const onEvent = (m: BatchEvent): void => {
    if (m.type === 'batch') {
      written += m.outBytes;
      progress += m.inBytes;
      job.onProgress?.(progress);
      return;
    }
    failures.push({ batch: m.batch, error: m.error.code === 'IO' ? new Error(m.error.message) : new AgeError(m.error.code, m.error.message) });
  };
  // gc() for the workers is exposed only while they start.
  let starting = workerCount;
  if (starting > 0) exposeGc(true);
  const started = (): void => {
    if (starting > 0 && --starting === 0) exposeGc(false);
  };
  const workers: Worker[] = [];
  const runs: Promise<void>[] = [];
  try {
    for (let i = 0; i < workerCount; i++) {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: plan });
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
            if (m.type === 'done') return end();
            onEvent(m);
          });
          // A crash is an internal fault, not bad input: reported unchanged, as batch -1 (first).
          w.on('error', (e) => end({ batch: -1, error: e }));
          w.on('exit', (code) => end(code === 0 ? undefined : { batch: -1, error: new Error(`age worker exited with code ${code}`) }));
        }),
      );
    }
    if (job.shareThread) {
      const next = batchClaimer(plan, sealBatch, openBatch, onEvent, youngGc());
      // One batch (~1-2 ms) at a time: between batches the loop handles signals (Ctrl-C) and the workers' messages.
      while (next()) await new Promise<void>((resolve) => setImmediate(resolve));
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
