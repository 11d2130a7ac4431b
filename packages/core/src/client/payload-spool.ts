/**
 * @module client/payload-spool
 * The encrypted payload between the encryptor and the uploader, held in
 * memory only as long as the upload may still need it. The encryptor appends
 * through `writable()`; `readFrom(offset)` streams from any offset the store
 * has not yet confirmed, following the writer and waiting at its frontier;
 * `stored(n)` tells the spool that bytes before `n` are with the store and will
 * not be asked for again, so their memory is reused.
 *
 * Memory: the bytes read but not yet confirmed (the uploader's pieces in
 * flight, bounded by the SDK) plus READ_AHEAD written but not yet read. Past
 * `maxRetained`, the oldest unconfirmed bytes are spilled to a 0600 temp file
 * (a store that cannot resume mid-stream retries from byte 0, so all of it
 * stays readable), never dropped. Blocks are copied in and recycled: keeping
 * the encryptor's own buffers alive until an upload piece is confirmed costs
 * more in garbage collection than the cipher (measured: 83 full collections,
 * ~1.8 CPU-s per GiB), a copy costs ~0.1 s.
 *
 * With a digest sink (publish's hashing worker, client/file-digest), blocks
 * live in shared memory and each is handed to the sink once full (the last one
 * when the writer finishes or nobody reads any more); a block is reused only
 * once both the store confirmed it and the sink hashed it, and the writer
 * waits while `maxRetained` bytes are still unhashed.
 *
 * Invariant: a reader never sees a byte past what was written, sees the end
 * only once the writer finished, and gets an error, never wrong bytes, if it
 * asks for bytes that were confirmed and released. A writer failure errors
 * every reader.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { ClientError } from './errors.js';
import type { PayloadDigestSink } from './file-digest.js';

const MiB = 1024 * 1024;
const BLOCK_SIZE = 4 * MiB;
/** Bytes written ahead of the furthest reader before the writer waits. */
const READ_AHEAD = 16 * MiB;
/** Default bound on unconfirmed bytes kept in memory before the oldest are spilled. */
const MAX_RETAINED = 64 * MiB;
/**
 * Never a real descriptor (above any process's limit): the spool's WriteStream
 * routes every call to the spool, and anything that tried the fd itself would
 * get EBADF, never another file.
 */
const SPOOL_FD = 2_147_483_647;

/** age v1 payload size for a plaintext of `n` bytes: nonce + 64 KiB chunks with 16-byte tags (an empty file is one empty chunk). */
export function agePayloadSize(n: number): number {
  const chunks = n === 0 ? 1 : Math.ceil(n / 65_536);
  return 16 + n + chunks * 16;
}

interface Block {
  start: number;
  bytes: Uint8Array;
}

export interface SpoolOptions {
  /** Where spilled bytes go, opened only if memory runs over `maxRetained`. */
  spillPath: string;
  maxRetained?: number;
  blockSize?: number;
  readAhead?: number;
  /** Gets every payload byte, in order, in whole blocks; the spool takes over its `onHashed`. */
  digest?: PayloadDigestSink;
}

export class PayloadSpool {
  private written = 0;
  private finished = false;
  private failure: Error | undefined;
  /** Nobody will read any more: writes are counted and dropped. */
  private draining = false;
  /** In memory: [blocks[0].start, written). */
  private blocks: Block[] = [];
  private free: Uint8Array[] = [];
  /** Bytes before this were confirmed by the store. */
  private floor = 0;
  /** Bytes before this were hashed by the digest sink. */
  private hashedTo = 0;
  /** Bytes before this were handed to the digest sink. */
  private postedTo = 0;
  /** The furthest byte any reader asked for. */
  private readHead = 0;
  private spill: { handle: FileHandle; start: number; end: number } | undefined;
  private waiters: Array<() => void> = [];
  private readonly blockSize: number;
  private readonly maxRetained: number;
  private readonly readAhead: number;

  constructor(private readonly opts: SpoolOptions) {
    this.blockSize = opts.blockSize ?? BLOCK_SIZE;
    this.readAhead = opts.readAhead ?? READ_AHEAD;
    this.maxRetained = Math.max(2 * this.blockSize, opts.maxRetained ?? MAX_RETAINED);
    if (opts.digest) opts.digest.onHashed = (n) => this.hashed(n);
  }

  get bytesWritten(): number {
    return this.written;
  }

  /** Payload bytes held in memory (blocks are filled from their start, so this counts whole bytes written). */
  get bytesInMemory(): number {
    return this.written - this.memStart;
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  private wait(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private get memStart(): number {
    return this.blocks[0]?.start ?? this.written;
  }

  /**
   * The encryptor's output: copies each chunk in, waiting while the readers
   * are far enough behind. It is an fs.WriteStream over this spool (Node's
   * documented `fs` option) because the age engine recycles its batch buffers
   * only for a WriteStream, whose callback means "done with the chunk"; any
   * other Writable gets a fresh buffer per batch, and those cost the main
   * thread GC (the spool has copied a chunk before calling back, so either is
   * correct).
   */
  writable(): Writable {
    const done = (p: Promise<void>, bytes: number, cb: (err: Error | null, n?: number) => void): void => {
      p.then(() => cb(null, bytes), (err: Error) => cb(err));
    };
    return createWriteStream('payload-spool', {
      fd: SPOOL_FD,
      highWaterMark: 2 * MiB,
      fs: {
        write: (_fd: number, buf: Uint8Array, off: number, len: number, _pos: unknown, cb: (err: Error | null, n?: number) => void) =>
          done(this.append(buf.subarray(off, off + len)), len, cb),
        writev: (_fd: number, bufs: Uint8Array[], _pos: unknown, cb: (err: Error | null, n?: number) => void) =>
          done(
            bufs.reduce((p, b) => p.then(() => this.append(b)), Promise.resolve()),
            bufs.reduce((n, b) => n + b.byteLength, 0),
            cb,
          ),
        close: (_fd: number, cb: (err: Error | null) => void) => cb(null),
      },
    });
  }

  private async append(chunk: Uint8Array): Promise<void> {
    let at = 0;
    while (at < chunk.byteLength) {
      if (this.failure) throw this.failure;
      if (this.draining) {
        this.written += chunk.byteLength - at;
        return;
      }
      let last = this.blocks.at(-1);
      if (!last || this.written - last.start === last.bytes.byteLength) {
        if (this.written - this.readHead >= this.readAhead) {
          await this.wait();
          continue;
        }
        if (this.opts.digest && this.written - this.hashedTo >= this.maxRetained) {
          await this.wait();
          continue;
        }
        if (this.written - this.memStart >= this.maxRetained) await this.spillOldest();
        last = { start: this.written, bytes: this.free.pop() ?? this.newBlock() };
        this.blocks.push(last);
      }
      const into = this.written - last.start;
      const n = Math.min(last.bytes.byteLength - into, chunk.byteLength - at);
      last.bytes.set(chunk.subarray(at, at + n), into);
      at += n;
      this.written += n;
      if (this.written - last.start === last.bytes.byteLength) this.post();
      this.wake();
    }
  }

  private newBlock(): Uint8Array {
    return this.opts.digest ? new Uint8Array(new SharedArrayBuffer(this.blockSize)) : new Uint8Array(this.blockSize);
  }

  /** Hands the bytes of the last block not yet handed over to the digest sink (blocks fill from their start). */
  private post(): void {
    const last = this.blocks.at(-1);
    if (!this.opts.digest || !last || this.written <= this.postedTo) return;
    this.opts.digest.add(last.bytes, this.written - last.start);
    this.postedTo = this.written;
  }

  /** Moves the oldest block to the spill file (readers past it are unaffected). */
  private async spillOldest(): Promise<void> {
    const block = this.blocks[0];
    if (!block) return;
    if (!this.spill) {
      const handle = await open(this.opts.spillPath, 'wx+', 0o600);
      this.spill = { handle, start: block.start, end: block.start };
    }
    // Confirmed bytes need no copy: they only leave memory.
    if (block.start + block.bytes.byteLength > this.floor) {
      await this.spill.handle.write(block.bytes, 0, block.bytes.byteLength, block.start);
      this.spill.end = block.start + block.bytes.byteLength;
    }
    // Not recycled: an upload still sending it, or the digest sink, may hold a view.
    this.blocks.shift();
  }

  /** Bytes before `offset` are with the store: their memory may be reused. */
  stored(offset: number): void {
    if (offset <= this.floor) return;
    this.floor = offset;
    this.release();
  }

  /** The digest sink hashed the bytes before `offset`. */
  private hashed(offset: number): void {
    if (offset <= this.hashedTo) return;
    this.hashedTo = offset;
    this.release();
  }

  /** Recycles the blocks nobody needs any more: confirmed by the store and, with a digest sink, hashed. */
  private release(): void {
    const done = this.opts.digest ? Math.min(this.floor, this.hashedTo) : this.floor;
    while (this.blocks.length > 1) {
      const first = this.blocks[0]!;
      if (first.start + first.bytes.byteLength > done) break;
      this.blocks.shift();
      this.free.push(first.bytes);
    }
    this.wake();
  }

  finish(): void {
    this.post();
    this.finished = true;
    this.wake();
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  /** No reader will come any more: let the writer run to its end (it reports the real size). */
  drain(): void {
    this.post();
    this.draining = true;
    this.blocks = [];
    this.free = [];
    this.wake();
  }

  private async available(position: number): Promise<number> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (position < this.written || this.finished) return this.written - position;
      if (position > this.readHead) {
        this.readHead = position;
        this.wake();
      }
      await this.wait();
    }
  }

  /** The payload from `start`, following the writer until it finishes. */
  readFrom(start: number): ReadableStream<Uint8Array> {
    // Checked up front so the uploader fails at once instead of retrying a body that cannot be made.
    if (!this.readable(start)) throw new ClientError('BAD_RESPONSE', `the store asked again for payload bytes from ${start} after confirming bytes up to ${this.floor}`);
    let position = start;
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const ready = await this.available(position);
          if (ready <= 0) {
            controller.close();
            return;
          }
          const chunk = await this.bytesAt(position, ready);
          position += chunk.byteLength;
          if (position > this.readHead) {
            this.readHead = position;
            this.wake();
          }
          controller.enqueue(chunk);
        },
      },
      { highWaterMark: 0 },
    );
  }

  private readable(position: number): boolean {
    if (this.draining) return false;
    if (position >= this.memStart) return true;
    return this.spill !== undefined && position >= this.spill.start && position < this.spill.end;
  }

  private async bytesAt(position: number, ready: number): Promise<Uint8Array> {
    if (position >= this.memStart) {
      for (const b of this.blocks) {
        const at = position - b.start;
        if (at < b.bytes.byteLength) return b.bytes.subarray(at, Math.min(b.bytes.byteLength, at + ready));
      }
    }
    const spill = this.spill;
    if (spill && position >= spill.start && position < spill.end) {
      const buf = new Uint8Array(Math.min(this.blockSize, ready, spill.end - position));
      const { bytesRead } = await spill.handle.read(buf, 0, buf.byteLength, position);
      if (bytesRead === 0) throw new Error(`spilled payload ended at byte ${position}`);
      return buf.subarray(0, bytesRead);
    }
    throw new ClientError('BAD_RESPONSE', `payload byte ${position} was released after the store confirmed it`);
  }

  async dispose(): Promise<void> {
    this.fail(new Error('payload spool disposed'));
    this.blocks = [];
    this.free = [];
    const spill = this.spill;
    this.spill = undefined;
    await spill?.handle.close().catch(() => undefined);
  }
}
