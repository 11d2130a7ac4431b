/**
 * Engines that turn batches of STREAM chunks into output and hash both sides.
 *
 * Both engines give the same results in the same order: the in-process engine
 * for small inputs, and a two-worker pipeline for large ones. In the pipeline,
 * stage A hashes the input and does the crypto of even batches, stage B does
 * the crypto of odd batches and hashes the output, so the two SHA-256 passes
 * and the cipher split evenly across two cores while order is kept by
 * construction (each stage is sequential, messages are FIFO). Without
 * digests (plain `dme encrypt`/`decrypt`, which report no hashes) both stages
 * only do cipher work.
 *
 * Invariant: callers bound the number of batches in flight; engines never
 * buffer more than that.
 */
import { createHash, type Hash } from 'node:crypto';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { chunksAllocated, exposeGc } from '../../runtime/gc.js';
import { CHUNK_SIZE } from './constants.js';
import { openBatch, sealBatch, type OpenedBatch } from './stream.js';
import { keepFreedChunksMapped } from './worker-tuning.js';

export type Mode = 'seal' | 'open';

/** One batch. `data` and `out` are owned by the engine until the result comes back. */
export interface Job {
  seq: number;
  counter: number;
  data: Uint8Array;
  length: number;
  last: boolean;
  /** Where the result goes; large enough for the batch's output. */
  out: Uint8Array;
}

/** The job's buffers come back for reuse; the output is `out.subarray(0, outLength)`. */
export interface JobResult {
  seq: number;
  data: Uint8Array;
  out: Uint8Array;
  outLength: number;
  error?: OpenedBatch['error'];
}

export interface Digests {
  inputSha256: string;
  outputSha256: string;
}

export interface Engine {
  submit(job: Job): void;
  /** The result of the oldest submitted job not yet returned. */
  next(): Promise<JobResult>;
  /** Call after the last result: the hex SHA-256 of all input and output bytes. */
  finish(): Promise<Digests>;
  close(): Promise<void>;
}

function crypt(mode: Mode, key: Uint8Array, job: Job): JobResult {
  const { seq, data, out } = job;
  if (mode === 'seal') return { seq, data, out, outLength: sealBatch(key, job.counter, data, job.length, job.last, CHUNK_SIZE, out) };
  const o = openBatch(key, job.counter, data, job.length, job.last, CHUNK_SIZE, out);
  return o.error ? { seq, data, out, outLength: o.length, error: o.error } : { seq, data, out, outLength: o.length };
}

/** `inputPrefix`/`outputPrefix`: bytes hashed before the first batch (the payload nonce). */
export class InlineEngine implements Engine {
  private readonly inputHash: Hash = createHash('sha256');
  private readonly outputHash: Hash = createHash('sha256');
  private readonly results: JobResult[] = [];

  constructor(
    private readonly mode: Mode,
    private readonly key: Uint8Array,
    prefixes: { input?: Uint8Array; output?: Uint8Array },
    private readonly digests = true,
    /** Called after each batch (a young-generation GC, see PayloadOptions.collectEachBatch). */
    private readonly afterBatch?: () => void,
  ) {
    if (prefixes.input) this.inputHash.update(prefixes.input);
    if (prefixes.output) this.outputHash.update(prefixes.output);
  }

  submit(job: Job): void {
    if (this.digests) this.inputHash.update(job.data.subarray(0, job.length));
    const result = crypt(this.mode, this.key, job);
    if (this.digests) this.outputHash.update(result.out.subarray(0, result.outLength));
    this.results.push(result);
    // Without a per-batch GC, node:crypto's fresh chunk buffers (copied into the batch, garbage at once) still
    // get a young GC every few MiB (runtime/gc): the sync engine decrypting beside an import, 5M phone rows,
    // 4 alternating runs: peak RSS 162-174 MB instead of 176-182 MB, time within noise (4.43-4.59 s, 4.35-5.05 s).
    if (this.afterBatch) this.afterBatch();
    else chunksAllocated(job.length);
  }

  async next(): Promise<JobResult> {
    const r = this.results.shift();
    if (!r) throw new Error('InlineEngine.next() without a pending job');
    return r;
  }

  async finish(): Promise<Digests> {
    return { inputSha256: this.digests ? this.inputHash.digest('hex') : '', outputSha256: this.digests ? this.outputHash.digest('hex') : '' };
  }

  async close(): Promise<void> {}
}

interface StageData {
  role: 'A' | 'B';
  mode: Mode;
  key: Uint8Array;
  chunkSize: number;
  prefix: Uint8Array | null;
  port: unknown;
  gcEvery: number;
  digests: boolean;
}

/**
 * Worker entry point. Shipped as source text, so it must not reference imports
 * (test runners rewrite import bindings): the batch functions come in as arguments.
 */
function stageMain(seal: typeof sealBatch, open: typeof openBatch): void {
  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
  const { createHash: hashOf } = process.getBuiltinModule('node:crypto');
  const d = workerData as StageData;
  const port = d.port as MessagePort;
  const hash = hashOf('sha256');
  if (d.prefix) hash.update(d.prefix);
  const digest_ = (bytes: Uint8Array): void => {
    if (d.digests) hash.update(bytes);
  };
  // node:crypto returns a fresh 64 KiB buffer per chunk; V8 only collects that
  // external garbage after tens of MB, per isolate. A young-generation GC after
  // each batch (measured: fastest and smallest, since freed memory is reused
  // while still mapped and cached) keeps the worker's footprint flat. The
  // spawner exposes gc() to new contexts only until both stages have taken it
  // (see exposeGc).
  const gc = process.getBuiltinModule('node:vm').runInNewContext('typeof gc === "function" ? gc : undefined') as
    | ((o?: { type: string }) => void)
    | undefined;
  parentPort?.postMessage({ type: 'ready' });
  let batches = 0;
  const relieve = (): void => {
    if (++batches % d.gcEvery === 0) gc?.({ type: 'minor' });
  };
  const run = (job: Job): JobResult => {
    const { seq, data, out } = job;
    if (d.mode === 'seal') return { seq, data, out, outLength: seal(d.key, job.counter, data, job.length, job.last, d.chunkSize, out) };
    const o = open(d.key, job.counter, data, job.length, job.last, d.chunkSize, out);
    return { seq, data, out, outLength: o.length, error: o.error };
  };
  const buffers = (m: { data: Uint8Array; out: Uint8Array }): ArrayBuffer[] => [m.data.buffer as ArrayBuffer, m.out.buffer as ArrayBuffer];
  type Msg = { type: 'finish' } | ({ type: 'job' } & Job) | ({ type: 'done' } & JobResult);
  const digest = (): void => parentPort?.postMessage({ type: 'digest', role: d.role, sha256: hash.digest('hex') });
  if (d.role === 'A') {
    parentPort?.on('message', (m: Msg) => {
      if (m.type === 'finish') {
        digest();
        port.postMessage(m);
        return;
      }
      if (m.type !== 'job') return;
      digest_(m.data.subarray(0, m.length));
      if (m.seq % 2 === 0) {
        const r = run(m);
        port.postMessage({ type: 'done', ...r }, buffers(r));
      } else {
        port.postMessage(m, buffers(m));
      }
      relieve();
    });
  } else {
    port.on('message', (m: Msg) => {
      if (m.type === 'finish') {
        digest();
        return;
      }
      const r = m.type === 'job' ? run(m) : m;
      digest_(r.out.subarray(0, r.outLength));
      relieve();
      parentPort?.postMessage({ ...r, type: 'result' }, buffers(r));
    });
  }
}

const WORKER_SOURCE = `(${stageMain.toString()})(${sealBatch.toString()}, ${openBatch.toString()});\n`;

type FromWorker =
  | { type: 'ready' }
  | ({ type: 'result' } & JobResult)
  | { type: 'digest'; role: 'A' | 'B'; sha256: string };

export class PipelineEngine implements Engine {
  private readonly a: Worker;
  private readonly b: Worker;
  private readonly ready: JobResult[] = [];
  private waiting: { resolve: (r: JobResult) => void; reject: (e: unknown) => void } | null = null;
  private readonly digests: { A?: string; B?: string } = {};
  private digestWaiter: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  private failure: unknown = null;
  private closed = false;
  private starting = 2;

  constructor(mode: Mode, key: Uint8Array, prefixes: { input?: Uint8Array; output?: Uint8Array }, digests = true) {
    const { port1, port2 } = new MessageChannel();
    keepFreedChunksMapped();
    exposeGc(true);
    const spawn = (role: 'A' | 'B', port: unknown, prefix: Uint8Array | undefined): Worker => {
      const data: StageData = { role, mode, key, chunkSize: CHUNK_SIZE, prefix: prefix ?? null, port, gcEvery: 1, digests };
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: data, transferList: [port as MessagePort] });
      w.on('message', (m: FromWorker) => this.onMessage(m));
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`age worker exited with code ${code}`));
      });
      return w;
    };
    this.a = spawn('A', port1, prefixes.input);
    this.b = spawn('B', port2, prefixes.output);
  }

  private started(): void {
    if (this.starting > 0 && --this.starting === 0) exposeGc(false);
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'ready') return this.started();
    if (m.type === 'digest') {
      this.digests[m.role] = m.sha256;
      if (this.digests.A !== undefined && this.digests.B !== undefined) this.digestWaiter?.resolve();
      return;
    }
    const { type: _type, ...r } = m;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w.resolve(r);
    } else {
      this.ready.push(r);
    }
  }

  private fail(e: unknown): void {
    while (this.starting > 0) this.started();
    if (this.closed) return;
    // A worker crash is an internal fault, not bad input: surface it unchanged.
    this.failure ??= e instanceof Error ? e : new Error(String(e));
    this.waiting?.reject(this.failure);
    this.waiting = null;
    this.digestWaiter?.reject(this.failure);
    this.digestWaiter = null;
  }

  submit(job: Job): void {
    if (this.failure) throw this.failure;
    this.a.postMessage({ type: 'job', ...job }, [job.data.buffer as ArrayBuffer, job.out.buffer as ArrayBuffer]);
  }

  next(): Promise<JobResult> {
    const r = this.ready.shift();
    if (r) return Promise.resolve(r);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  async finish(): Promise<Digests> {
    if (this.failure) throw this.failure;
    const done = new Promise<void>((resolve, reject) => {
      this.digestWaiter = { resolve, reject };
    });
    this.a.postMessage({ type: 'finish' });
    await done;
    return { inputSha256: this.digests.A ?? '', outputSha256: this.digests.B ?? '' };
  }

  async close(): Promise<void> {
    while (this.starting > 0) this.started();
    this.closed = true;
    await Promise.all([this.a.terminate(), this.b.terminate()]);
  }
}
