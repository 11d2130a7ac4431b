/**
 * @module client/seal-worker
 * Publish's one pass over the file: a worker thread reads the plaintext,
 * hashes it, and seals it as the age payload (nonce, then STREAM chunks)
 * straight into blocks of shared memory the caller hands it (the payload
 * spool's, client/payload-spool); the calling thread hashes each block as it
 * comes back and commits it. The thread that uploads thus never touches the
 * plaintext nor the cipher.
 *
 * Before, that thread encrypted (its own read of the file, its cipher
 * buffers' garbage, a copy of every sealed batch into the spool) while a
 * hashing worker read the file a second time. One read, sealing in place and
 * the cipher's garbage on the worker took the publisher from 3.63-3.89 to
 * 3.23-3.61 CPU-s per GiB and the uploading thread from 1.76-1.99 to
 * 1.38-1.43 (1 GiB to a local hub, 4 alternating pairs). The payload digest
 * is the caller's so the worker, now the longest thread, does one of the two.
 *
 * Only `size` bytes are read (the payload size was announced from it): a
 * file that shrank fails here; one that grew or changed meanwhile is for the
 * caller to catch (publish compares size and modification time before and
 * after).
 */
import { createHash, randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { CHUNK_SIZE, PAYLOAD_NONCE_SIZE } from '../crypto/age/constants.js';
import { payloadKey } from '../crypto/age/payload.js';
import { sealBatch, sealedSize } from '../crypto/age/stream.js';
import { keepFreedChunksMapped, scavengeOnCollectingThread } from '../crypto/age/worker-tuning.js';
import { exposeGc } from '../runtime/gc.js';

export interface FileDigest {
  sha256: string;
  bytes: number;
}

/** Chunks sealed per file read (1 MiB reads). */
const BATCH_CHUNKS = 16;
/** Blocks at the worker at once, so it has the next one when it finishes one. */
const BLOCKS_AT_WORKER = 2;

interface SealPlan {
  path: string;
  size: number;
  key: Uint8Array;
  nonce: Uint8Array;
  chunkSize: number;
  batchChunks: number;
}

type ToWorker = { block: SharedArrayBuffer };
type FromWorker = { type: 'ready' } | { type: 'filled'; length: number; done: boolean; plaintext?: FileDigest } | { type: 'error'; message: string };

/** Worker entry point, shipped as source text: sealBatch and sealedSize come in as arguments. The first message is the plan. */
function sealWorker(seal: typeof sealBatch, sealed: typeof sealedSize): void {
  const { parentPort } = process.getBuiltinModule('node:worker_threads');
  // Each batch leaves 16 cipher outputs of 64 KiB as garbage outside the heap, which V8 collects only
  // after tens of MB: a young GC per batch frees them while their pages are still mapped (runtime/gc).
  // The spawner exposes gc() to new contexts until this thread says it is ready.
  const gc = process.getBuiltinModule('node:vm').runInNewContext('typeof gc === "function" ? gc : undefined') as
    | ((o?: { type: string }) => void)
    | undefined;
  if (parentPort) {
    parentPort.once('message', (plan: SealPlan) => run(parentPort, plan));
    parentPort.postMessage({ type: 'ready' } satisfies FromWorker);
  }

  function run(port: NonNullable<typeof parentPort>, plan: SealPlan): void {
    const fs = process.getBuiltinModule('node:fs');
    const { createHash } = process.getBuiltinModule('node:crypto');
    const batchIn = plan.chunkSize * plan.batchChunks;
    const plain = new Uint8Array(batchIn);
    // A batch that does not fit in what is left of a block is sealed here, then carried into the next block.
    const spare = new Uint8Array(sealed(batchIn, plan.chunkSize));
    const plainHash = createHash('sha256');
    let carry: Uint8Array = plan.nonce;
    let read = 0;
    let counter = 0;
    let sealedAll = false;
    const fd = fs.openSync(plan.path, 'r');

    /** Seals the next batch into `room` if it fits (returns its length), else into `spare` as the carry (returns 0). */
    const sealNext = (room: Uint8Array): number => {
      const length = Math.min(batchIn, plan.size - read);
      for (let got = 0; got < length; ) {
        const n = fs.readSync(fd, plain, got, length - got, read + got);
        if (n === 0) throw new Error('the file shrank while it was being published');
        got += n;
      }
      plainHash.update(plain.subarray(0, length));
      const last = read + length >= plan.size;
      const fits = sealed(length, plan.chunkSize) <= room.byteLength;
      const n = seal(plan.key, counter, plain, length, last, plan.chunkSize, fits ? room : spare);
      gc?.({ type: 'minor' });
      read += length;
      counter += plan.batchChunks;
      sealedAll = last;
      if (fits) return n;
      carry = spare.subarray(0, n);
      return 0;
    };

    const fill = (block: Uint8Array): number => {
      let at = 0;
      while (at < block.byteLength) {
        if (carry.byteLength > 0) {
          const n = Math.min(carry.byteLength, block.byteLength - at);
          block.set(carry.subarray(0, n), at);
          carry = carry.subarray(n);
          at += n;
        } else if (sealedAll) {
          break;
        } else {
          at += sealNext(block.subarray(at));
        }
      }
      return at;
    };

    let closed = false;
    // Messages already queued still arrive after port.close(): a second close could hit a reused descriptor.
    const finish = (): void => {
      closed = true;
      fs.closeSync(fd);
      plan.key.fill(0);
      port.close();
    };
    port.on('message', (m: ToWorker) => {
      if (closed) return;
      try {
        const length = fill(new Uint8Array(m.block));
        const done = sealedAll && carry.byteLength === 0;
        if (!done) return port.postMessage({ type: 'filled', length, done } satisfies FromWorker);
        port.postMessage({ type: 'filled', length, done, plaintext: { sha256: plainHash.digest('hex'), bytes: read } } satisfies FromWorker);
        finish();
      } catch (err) {
        port.postMessage({ type: 'error', message: (err as Error).message } satisfies FromWorker);
        finish();
      }
    });
  }
}

const SOURCE = `(${sealWorker.toString()})(${sealBatch.toString()}, ${sealedSize.toString()});\n`;

/** Where the sealed payload goes: whole shared blocks, claimed and filled in order. */
export interface BlockSink {
  /** The next block to fill: a whole SharedArrayBuffer, once the sink has room for it. */
  claim(): Promise<Uint8Array>;
  /** The claimed block now holds the next `length` payload bytes (only the last block may be short). */
  commit(block: Uint8Array, length: number): void;
}

export interface Sealing {
  /** Resolves once every payload byte was committed, with both digests. */
  done: Promise<{ plaintext: FileDigest; payload: FileDigest }>;
  /** Stops the worker (the key it holds goes with it); `done` rejects with `reason` unless it settled. */
  cancel(reason?: unknown): Promise<void>;
}

/**
 * Fresh memory is what cipher output costs here: ~12 µs per page first
 * touched, and with V8 left to collect the chunk buffers when it pleases,
 * the worker's first 32 MiB took 13-25 ms per 4 MiB block instead of ~5
 * (each new 64 KiB buffer faulted in), and later bursts faulted in again
 * what a trimmed heap had unmapped. With a young GC per batch, freed
 * buffers kept mapped and the scavenges on the worker's own thread
 * (crypto/age/worker-tuning), 1 GiB read, hashed and sealed in a worker:
 * 9.0-9.3k page faults against 16-33k, 1.57-1.98 against 1.71-2.20 CPU-s
 * (5 alternating runs each).
 */
function spawnSealWorker(): Worker {
  keepFreedChunksMapped();
  scavengeOnCollectingThread();
  exposeGc(true);
  const worker = new Worker(SOURCE, { eval: true });
  // Idle until sealFile refs it: an unused one must not keep the process alive.
  worker.unref();
  let exposing = true;
  const taken = (): void => {
    if (!exposing) return;
    exposing = false;
    exposeGc(false);
  };
  // Its first message is 'ready'; one that never gets that far exits.
  worker.once('message', taken);
  worker.once('exit', taken);
  return worker;
}

/**
 * A sealing worker started ahead of its file: a thread takes 40-55 ms to
 * start here, which publish spends on the hub lookups and module loading
 * meanwhile instead of before the first payload byte. It holds nothing until
 * sealFile hands it a plan and does not keep the process alive; whoever
 * starts one and does not hand it to sealFile terminates it. Takes the one
 * prestartSealWorker left, if any.
 */
export function startSealWorker(): Worker {
  const worker = prestarted ?? spawnSealWorker();
  prestarted = undefined;
  return worker;
}

let prestarted: Worker | undefined;

/**
 * Starts the sealing worker before the code that publishes is even loaded
 * (the `dme publish` command's ~100 ms of modules run meanwhile on the
 * other core); the next startSealWorker takes it. Unused, it lets the
 * process exit.
 */
export function prestartSealWorker(): void {
  prestarted ??= spawnSealWorker();
}

/**
 * Seals the first `size` bytes of the file at `path` for `fileKey` into
 * `sink`: agePayloadSize(size) bytes, a fresh nonce, then the chunks. On
 * `worker` (from startSealWorker, used once) when given.
 */
export function sealFile(path: string, size: number, fileKey: Uint8Array, sink: BlockSink, started?: Worker): Sealing {
  const nonce = randomBytes(PAYLOAD_NONCE_SIZE);
  const key = payloadKey(fileKey, nonce);
  const plan: SealPlan = { path, size, key, nonce, chunkSize: CHUNK_SIZE, batchChunks: BATCH_CHUNKS };
  const worker = started ?? spawnSealWorker();
  worker.ref();
  worker.postMessage(plan);
  // The worker got its own copy of the plan.
  key.fill(0);
  const payloadHash = createHash('sha256');
  let payloadBytes = 0;
  const atWorker: Uint8Array[] = [];
  let settled = false;
  let settle!: { resolve: (r: Awaited<Sealing['done']>) => void; reject: (err: unknown) => void };
  const done = new Promise<Awaited<Sealing['done']>>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => undefined);
  const fail = (err: unknown): void => {
    if (settled) return;
    settled = true;
    settle.reject(err);
    void worker.terminate();
  };
  const giveBlock = async (): Promise<void> => {
    const block = await sink.claim();
    if (settled) return;
    if (!(block.buffer instanceof SharedArrayBuffer) || block.byteOffset !== 0 || block.byteLength !== block.buffer.byteLength) {
      throw new TypeError('a payload block must be a whole SharedArrayBuffer');
    }
    atWorker.push(block);
    worker.postMessage({ block: block.buffer } satisfies ToWorker);
  };
  worker.on('message', (m: FromWorker) => {
    if (settled) return;
    if (m.type === 'ready') return;
    if (m.type === 'error') return fail(new Error(`${path}: ${m.message}`));
    const block = atWorker.shift();
    if (!block) return fail(new Error('the sealing worker filled a block it was not given'));
    const bytes = block.subarray(0, m.length);
    payloadHash.update(bytes);
    payloadBytes += m.length;
    try {
      sink.commit(block, m.length);
    } catch (err) {
      return fail(err);
    }
    if (!m.done) return void giveBlock().catch(fail);
    settled = true;
    settle.resolve({ plaintext: m.plaintext!, payload: { sha256: payloadHash.digest('hex'), bytes: payloadBytes } });
  });
  worker.once('error', fail);
  worker.once('exit', (code) => fail(new Error(`the sealing worker stopped (exit code ${code}) before it finished`)));
  for (let i = 0; i < BLOCKS_AT_WORKER; i++) void giveBlock().catch(fail);
  return {
    done,
    cancel: async (reason?: unknown) => {
      fail(reason ?? new Error('sealing cancelled'));
      await worker.terminate();
    },
  };
}
