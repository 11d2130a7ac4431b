/**
 * @module client/payload-spool
 * The encrypted payload between the encryptor and the uploader, held in
 * memory only as long as the upload may still need it. The encryptor
 * (client/seal-worker, on another thread) fills blocks of shared memory it
 * `claim`s and `commit`s them in order; `readFrom(offset)` streams from any
 * offset the store has not yet confirmed, following the writer and waiting at
 * its frontier; `stored(n)` tells the spool that bytes before `n` are with the
 * store and will not be asked for again, so their blocks are reused.
 *
 * Memory: the bytes read but not yet confirmed (the uploader's pieces in
 * flight, bounded by the SDK) plus READ_AHEAD written but not yet read. Past
 * `maxRetained`, the oldest unconfirmed bytes are spilled to a 0600 temp file
 * (a store that cannot resume mid-stream retries from byte 0, so all of it
 * stays readable), never dropped. Blocks are recycled, never copied: fresh
 * memory costs page faults, and on a VM a first touch costs more than a copy.
 *
 * Invariant: a reader never sees a byte past what was written, sees the end
 * only once the writer finished, and gets an error, never wrong bytes, if it
 * asks for bytes that were confirmed and released. A writer failure errors
 * every reader.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { CHUNK_SIZE, PAYLOAD_NONCE_SIZE } from '../crypto/age/constants.js';
import { sealedSize } from '../crypto/age/stream.js';
import { ClientError } from './errors.js';

const MiB = 1024 * 1024;
const BLOCK_SIZE = 4 * MiB;
/** Bytes written ahead of the furthest reader before the writer waits. */
const READ_AHEAD = 16 * MiB;
/** Default bound on unconfirmed bytes kept in memory before the oldest are spilled. */
const MAX_RETAINED = 64 * MiB;

/** age v1 payload size for a plaintext of `n` bytes: nonce + 64 KiB chunks with 16-byte tags (an empty file is one empty chunk). */
export function agePayloadSize(n: number): number {
  return PAYLOAD_NONCE_SIZE + sealedSize(n, CHUNK_SIZE);
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
  /** The furthest byte any reader asked for. */
  private readHead = 0;
  /** Bytes of blocks claimed by a block writer and not committed yet. */
  private claimed = 0;
  private spill: { handle: FileHandle; start: number; end: number } | undefined;
  private spilling: Promise<void> = Promise.resolve();
  private waiters: Array<() => void> = [];
  private readonly blockSize: number;
  private readonly maxRetained: number;
  private readonly readAhead: number;

  constructor(private readonly opts: SpoolOptions) {
    this.blockSize = opts.blockSize ?? BLOCK_SIZE;
    this.readAhead = opts.readAhead ?? READ_AHEAD;
    this.maxRetained = Math.max(2 * this.blockSize, opts.maxRetained ?? MAX_RETAINED);
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
   * The next block for the writer to fill: a whole SharedArrayBuffer, once
   * the writer is less than `readAhead` past the furthest reader and, past
   * `maxRetained`, the oldest bytes were spilled. Blocks are committed in
   * the order they were claimed. With nobody reading any more (drain), at
   * once.
   */
  async claim(): Promise<Uint8Array> {
    for (;;) {
      if (this.failure) throw this.failure;
      const ahead = this.written + this.claimed;
      if (!this.draining && ahead - this.readHead >= this.readAhead) {
        await this.wait();
        continue;
      }
      if (!this.draining && ahead - this.memStart >= this.maxRetained) {
        // One spill at a time: two claims spilling at once took the same oldest block (and opened the file twice).
        const spilling = this.spilling.then(() => this.spillOldest());
        // A failed spill fails this claim, and with it the writer.
        this.spilling = spilling.then(() => undefined, () => undefined);
        if (await spilling) continue;
      }
      const bytes = this.free.pop() ?? this.newBlock();
      this.claimed += bytes.byteLength;
      return bytes;
    }
  }

  /** `block`, claimed, now holds the next `length` payload bytes; only the last block may be short. */
  commit(block: Uint8Array, length: number): void {
    this.claimed -= block.byteLength;
    if (this.failure) return;
    const last = this.blocks.at(-1);
    if (last && this.written - last.start < last.bytes.byteLength) throw new Error('payload block committed after a short one');
    if (this.draining) this.free.push(block);
    else this.blocks.push({ start: this.written, bytes: block });
    this.written += length;
    this.wake();
  }

  private newBlock(): Uint8Array {
    return new Uint8Array(new SharedArrayBuffer(this.blockSize));
  }

  /** Moves the oldest block to the spill file (readers past it are unaffected); false when no block is left to move. */
  private async spillOldest(): Promise<boolean> {
    const block = this.blocks[0];
    if (!block) return false;
    if (!this.spill) {
      const handle = await open(this.opts.spillPath, 'wx+', 0o600);
      this.spill = { handle, start: block.start, end: block.start };
    }
    // Confirmed bytes need no copy: they only leave memory.
    if (block.start + block.bytes.byteLength > this.floor) {
      await this.spill.handle.write(block.bytes, 0, block.bytes.byteLength, block.start);
      this.spill.end = block.start + block.bytes.byteLength;
    }
    // Not recycled: an upload still sending it may hold a view.
    this.blocks.shift();
    return true;
  }

  /** Bytes before `offset` are with the store: their memory may be reused. */
  stored(offset: number): void {
    if (offset <= this.floor) return;
    this.floor = offset;
    this.release();
  }

  /** Recycles the blocks nobody needs any more: confirmed by the store. */
  private release(): void {
    while (this.blocks.length > 1) {
      const first = this.blocks[0]!;
      if (first.start + first.bytes.byteLength > this.floor) break;
      this.blocks.shift();
      this.free.push(first.bytes);
    }
    this.wake();
  }

  finish(): void {
    this.finished = true;
    this.wake();
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  /** No reader will come any more: let the writer run to its end (it reports the real size). */
  drain(): void {
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
