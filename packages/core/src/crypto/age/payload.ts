/**
 * Streaming encryption and decryption of the age payload (16-byte nonce, then
 * STREAM chunks), hashing plaintext and payload on the way through.
 *
 * Memory is bounded by MAX_IN_FLIGHT batches of BATCH_CHUNKS chunks; output
 * backpressure is honoured. Inputs above PARALLEL_THRESHOLD use the two-worker
 * pipeline (see engine.ts), smaller ones run in-process.
 *
 * Decryption writes a chunk only after its tag verified, in order. If a later
 * chunk fails, the chunks before it HAVE been written: the caller must treat the
 * output as garbage on any error (write to a temp file, rename on success).
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { WriteStream, write as writeAt } from 'node:fs';
import { promisify } from 'node:util';
import type { Writable } from 'node:stream';
import { CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE, PAYLOAD_KEY_INFO, PAYLOAD_KEY_SIZE, PAYLOAD_NONCE_SIZE } from './constants.js';
import { type Engine, InlineEngine, PipelineEngine, type Mode } from './engine.js';
import { AgeError } from './errors.js';
import { assertFileKey } from './filekey.js';
import { runPositional } from './positional.js';
import { ByteReader, type ByteSource, type FilePosition } from './source.js';
import { sealedSize } from './stream.js';
import { keepFreedChunksMapped, youngGc } from './worker-tuning.js';

export interface PayloadSizes {
  plaintextBytes: number;
  /** Bytes of the payload: nonce plus all encrypted chunks (what follows the header). */
  payloadBytes: number;
}

export interface PayloadResult extends PayloadSizes {
  /** Hex SHA-256 of the plaintext. */
  plaintextSha256: string;
  /** Hex SHA-256 of the payload. */
  payloadSha256: string;
}

/** Sizes only when the caller turned digests off, sizes and digests otherwise. */
export type ResultFor<O> = O extends { digests: false } ? PayloadSizes : PayloadResult;

export interface PayloadOptions {
  /** Called after each batch is written: plaintext bytes (encrypt) or payload bytes (decrypt) so far. */
  onProgress?: (bytes: number) => void;
  /** Force (true) or forbid (false) worker threads; default: by input size. */
  parallel?: boolean;
  /**
   * Hash plaintext and payload (default true). Publishing needs both digests
   * for the manifest; plain file encryption does not, and two SHA-256 passes
   * cost more CPU than the cipher itself. Without digests, a large file input
   * and an output stream that opened a file by path (nothing queued on it) are
   * processed by positional reads and writes in parallel (positional.ts): the
   * payload is then written at the stream's end without going through the
   * stream, so write nothing more to it (end it).
   */
  digests?: boolean;
  /**
   * The positional path may run batches on the calling thread too, blocking
   * its event loop until the payload is done (one worker fewer to start). For
   * command-line programs; a caller with other work on its loop leaves it off.
   */
  shareThread?: boolean;
  /**
   * Run a young-generation GC on the calling thread after each batch it
   * encrypts or decrypts in-process: the cipher's 64 KiB buffers are freed
   * at once instead of piling up until V8 collects (on a 256 MiB publish,
   * 24-26k page faults instead of 35-44k). For a thread whose own garbage is
   * small; an importer decrypting beside its inserts leaves it off (its
   * batches then count toward a young GC every few MiB, runtime/gc).
   */
  collectEachBatch?: boolean;
}

export const BATCH_CHUNKS = 16;
export const MAX_IN_FLIGHT = 6;
/**
 * Starting the two workers costs ~130 ms of CPU, worth it only for large inputs.
 * Sized sources decide from their size; others read ahead up to this much.
 */
export const PARALLEL_THRESHOLD = 16 * 1024 * 1024;

export function payloadKey(fileKey: Uint8Array, nonce: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', fileKey, nonce, PAYLOAD_KEY_INFO, PAYLOAD_KEY_SIZE));
}

/**
 * Writes `bytes`, then calls `written` once the stream is done with them (so the
 * buffer can be reused). Resolves when the caller may write again (backpressure).
 */
function write(output: Writable, bytes: Uint8Array, written?: () => void): Promise<void> {
  if (bytes.length === 0) {
    written?.();
    return Promise.resolve();
  }
  if (output.destroyed) return Promise.reject(new Error('output stream was destroyed'));
  if (output.write(bytes, (e) => !e && written?.())) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      output.off('drain', onDrain);
      output.off('error', onError);
      output.off('close', onClose);
    };
    const onDrain = (): void => (cleanup(), resolve());
    const onError = (e: Error): void => (cleanup(), reject(e));
    const onClose = (): void => (cleanup(), reject(new Error('output stream closed before the payload was written')));
    output.on('drain', onDrain);
    output.on('error', onError);
    output.on('close', onClose);
  });
}

/** Recycled batch buffers: fresh 1 MiB ArrayBuffers cost page faults, zeroing and GC. */
class BufferPool {
  private readonly free: Uint8Array[] = [];
  constructor(private readonly size: number) {}
  take(): Uint8Array {
    return this.free.pop() ?? new Uint8Array(new ArrayBuffer(this.size));
  }
  give(buf: Uint8Array): void {
    if (buf.byteLength === this.size && this.free.length < MAX_IN_FLIGHT + 2) this.free.push(buf);
  }
}

async function pickEngine(reader: ByteReader, mode: Mode, key: Uint8Array, nonce: Uint8Array, opts: PayloadOptions): Promise<Engine> {
  const known = reader.remaining;
  const big = opts.parallel ?? (known ?? (await reader.fill(PARALLEL_THRESHOLD + 1))) > PARALLEL_THRESHOLD;
  const prefixes = mode === 'seal' ? { output: nonce } : { input: nonce };
  const digests = opts.digests ?? true;
  if (big) return new PipelineEngine(mode, key, prefixes, digests);
  if (!opts.collectEachBatch) return new InlineEngine(mode, key, prefixes, digests);
  keepFreedChunksMapped();
  return new InlineEngine(mode, key, prefixes, digests, youngGc());
}

/** A counting semaphore; `open()` lets every current and future taker through (used on failure). */
class Gate {
  private readonly waiters: (() => void)[] = [];
  private opened = false;
  constructor(private count: number) {}
  take(): Promise<void> | void {
    if (this.opened) return;
    if (this.count > 0) {
      this.count--;
      return;
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  give(): void {
    const w = this.waiters.shift();
    if (w) w();
    else this.count++;
  }
  open(): void {
    this.opened = true;
    for (const w of this.waiters.splice(0)) w();
  }
}

/**
 * Reads ahead, collects results and writes behind at the same time: the reader
 * needs a slot per batch (MAX_IN_FLIGHT in all), and a batch gives its slot back
 * only once its output left memory, so in-flight bytes stay bounded while reads,
 * crypto and writes overlap. A file stream gets writes queued without waiting for
 * 'drain' (its highWaterMark is far below one batch, which would serialise every
 * write with the next read); the slots are its backpressure. Any other Writable
 * gets the usual write-then-drain, so at most one batch sits in its buffer.
 */
async function pump(mode: Mode, reader: ByteReader, engine: Engine, output: Writable, onProgress?: (n: number) => void) {
  const inSize = mode === 'seal' ? CHUNK_SIZE : ENCRYPTED_CHUNK_SIZE;
  const batchBytes = BATCH_CHUNKS * inSize;
  const inputs = new BufferPool(batchBytes);
  const outputs = new BufferPool(mode === 'seal' ? sealedSize(batchBytes, CHUNK_SIZE) : batchBytes);
  // Only a file stream is known to drop a chunk once its write callback ran; any
  // other Writable (a PassThrough, a collector) may keep it, so it gets fresh buffers.
  const file = output instanceof WriteStream;
  const slots = new Gate(MAX_IN_FLIGHT);
  const submitted = new Gate(0);
  let failure: { error: unknown } | null = null;
  const fail = (error: unknown): void => {
    failure ??= { error };
    slots.open();
    submitted.open();
  };
  let inBytes = 0;
  let outBytes = 0;
  let writtenIn = 0;
  let batches = -1;
  const lengths: number[] = [];
  const written = (): void => {
    writtenIn += lengths.shift() ?? 0;
    onProgress?.(writtenIn);
    slots.give();
  };

  const collect = async (): Promise<void> => {
    for (let i = 0; batches < 0 || i < batches; i++) {
      await submitted.take();
      if (failure || (batches >= 0 && i >= batches)) return;
      const r = await engine.next();
      inputs.give(r.data);
      const bytes = r.out.subarray(0, r.outLength);
      outBytes += r.outLength;
      if (file && bytes.length > 0) {
        if (output.destroyed) throw new Error('output stream was destroyed');
        output.write(bytes, (e) => {
          if (e) return fail(e);
          outputs.give(r.out);
          written();
        });
      } else {
        await write(output, bytes);
        written();
      }
      if (r.error) throw new AgeError(r.error.code, r.error.message);
    }
  };

  const produce = async (): Promise<void> => {
    let seq = 0;
    let counter = 0;
    for (let last = false; !last; ) {
      await slots.take();
      if (failure) return;
      const data = inputs.take();
      const length = await reader.readInto(data, 0, batchBytes);
      last = length < batchBytes || (await reader.atEnd());
      if (seq === 0 && length === 0 && mode === 'open') throw new AgeError('TRUNCATED', 'payload has a nonce but no chunks');
      if (failure) return;
      lengths.push(length);
      engine.submit({ seq: seq++, counter, data, length, last, out: outputs.take() });
      inBytes += length;
      counter += Math.ceil(length / inSize);
      if (last) batches = seq;
      submitted.give();
    }
    // Every slot back means every batch is out of memory (on disk, for a file).
    for (let i = 0; i < MAX_IN_FLIGHT; i++) await slots.take();
  };

  const guard = (p: Promise<void>): Promise<void> => p.catch(fail);
  await Promise.all([guard(produce()), guard(collect())]);
  if (failure) throw (failure as { error: unknown }).error;
  return { inBytes, outBytes, ...(await engine.finish()) };
}

const pwrite = promisify(writeAt);
/** The caller's options the positional path takes. */
const positionalOpts = (opts: PayloadOptions): { onProgress?: (n: number) => void; shareThread?: boolean } => ({
  ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  ...(opts.shareThread ? { shareThread: true } : {}),
});

/** Both ends as files that worker threads can read and write at offsets, or null. */
export function positionalEnds(reader: ByteReader, output: Writable, opts: PayloadOptions): { input: FilePosition; length: number; output: FilePosition } | null {
  if (opts.digests !== false || opts.parallel === false) return null;
  const input = reader.position();
  const length = reader.remaining;
  if (!input || length === undefined || (opts.parallel !== true && length <= PARALLEL_THRESHOLD)) return null;
  // A stream the caller handed an fd, or one with `start` or append mode, may not start at offset 0.
  const file = output as WriteStream & { start?: number; flags?: string };
  if (!(output instanceof WriteStream) || typeof file.path !== 'string' || file.start !== undefined) return null;
  if (typeof file.flags !== 'string' || file.flags.includes('a') || file.pending || file.writableLength > 0 || file.destroyed) return null;
  const fd = (file as { fd?: unknown }).fd;
  if (typeof fd !== 'number') return null;
  return { input, length, output: { fd, offset: file.bytesWritten } };
}

async function run(mode: Mode, input: ByteSource, output: Writable, nonce: Uint8Array | null, fileKey: Uint8Array, opts: PayloadOptions) {
  assertFileKey(fileKey);
  const reader = new ByteReader(input);
  let engine: Engine | null = null;
  try {
    const direct = nonce ? positionalEnds(reader, output, opts) : null;
    if (nonce && direct) {
      await pwrite(direct.output.fd, nonce, 0, nonce.length, direct.output.offset);
      const at = { fd: direct.output.fd, offset: direct.output.offset + nonce.length };
      const outBytes = await runPositional({ ...direct, output: at, mode, key: payloadKey(fileKey, nonce), batchChunks: BATCH_CHUNKS, ...positionalOpts(opts) });
      return { inBytes: direct.length, outBytes, inputSha256: '', outputSha256: '', nonceBytes: PAYLOAD_NONCE_SIZE };
    }
    let n = nonce;
    if (!n) {
      const buf = new Uint8Array(PAYLOAD_NONCE_SIZE);
      if ((await reader.readInto(buf, 0, PAYLOAD_NONCE_SIZE)) < PAYLOAD_NONCE_SIZE) {
        throw new AgeError('TRUNCATED', 'payload is shorter than its 16-byte nonce');
      }
      n = buf;
      const ends = positionalEnds(reader, output, opts);
      if (ends) {
        const outBytes = await runPositional({ ...ends, mode, key: payloadKey(fileKey, n), batchChunks: BATCH_CHUNKS, ...positionalOpts(opts) });
        return { inBytes: ends.length, outBytes, inputSha256: '', outputSha256: '', nonceBytes: PAYLOAD_NONCE_SIZE };
      }
    } else {
      await write(output, n);
    }
    engine = await pickEngine(reader, mode, payloadKey(fileKey, n), n, opts);
    const r = await pump(mode, reader, engine, output, opts.onProgress);
    return { ...r, nonceBytes: PAYLOAD_NONCE_SIZE };
  } finally {
    await engine?.close();
    await reader.close();
  }
}

/** Writes the payload (nonce + STREAM) for `fileKey`. Does not end `output`. */
export async function encryptPayload<O extends PayloadOptions>(input: ByteSource, output: Writable, fileKey: Uint8Array, opts?: O): Promise<ResultFor<O>> {
  const r = await run('seal', input, output, randomBytes(PAYLOAD_NONCE_SIZE), fileKey, opts ?? {});
  const sizes: PayloadSizes = { plaintextBytes: r.inBytes, payloadBytes: r.outBytes + r.nonceBytes };
  return (opts?.digests === false ? sizes : { ...sizes, plaintextSha256: r.inputSha256, payloadSha256: r.outputSha256 }) as ResultFor<O>;
}

/**
 * Decrypts a payload with `fileKey`, writing verified plaintext. Does not end
 * `output`. On error, output already written must be discarded by the caller.
 */
export async function decryptPayload<O extends PayloadOptions>(input: ByteSource, output: Writable, fileKey: Uint8Array, opts?: O): Promise<ResultFor<O>> {
  const r = await run('open', input, output, null, fileKey, opts ?? {});
  const sizes: PayloadSizes = { plaintextBytes: r.outBytes, payloadBytes: r.inBytes + r.nonceBytes };
  return (opts?.digests === false ? sizes : { ...sizes, plaintextSha256: r.outputSha256, payloadSha256: r.inputSha256 }) as ResultFor<O>;
}
