/**
 * @module fs/block-writer
 * Appends a stream of network chunks to a file in large blocks: the hub's
 * upload bodies, the sync engine's payload downloads. Socket chunks arrive at
 * 64 KiB; writing each one costs a thread-pool round trip, a promise and a
 * syscall, so they are copied into 1 MiB blocks and one block is written
 * while the next fills (measured on a 256 MiB PUT: hub CPU 0.67-0.75 s →
 * 0.50-0.55 s). An optional running hash sees exactly the bytes of each write
 * issued, in order.
 *
 * Blocks come from a small process-wide pool and go back to it on
 * `release()`: a fresh pair per request meant 2 MiB of first-touched memory
 * per upload piece, which on a VM costs more than the piece's own copy.
 *
 * Invariants: `written` counts bytes whose write completed, so the file holds
 * a prefix of what was pushed; at most two blocks are held, and `push` waits
 * for the previous write before starting another (the disk's pace reaches
 * the sender as TCP backpressure). After a failed write the hash no longer
 * matches the file: callers must drop it. A block returns to the pool only
 * once no write of it is pending, and is never used again by its writer.
 */
import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { chunksAllocated } from '../runtime/gc.js';
import { firstBlockBytes } from './off-grid.js';

export const BLOCK_SIZE = 1024 * 1024;

/** Idle blocks kept for the next writers (16 MiB: eight uploads at once without a fresh allocation). */
const POOL_MAX = 16;
const pool: Uint8Array[] = [];

function takeBlock(size: number): Uint8Array {
  if (size === BLOCK_SIZE) {
    const block = pool.pop();
    if (block) return block;
  }
  return new Uint8Array(size);
}

function giveBlock(block: Uint8Array): void {
  if (block.byteLength === BLOCK_SIZE && pool.length < POOL_MAX) pool.push(block);
}

export class BlockWriter {
  #block: Uint8Array;
  #spare: Uint8Array;
  #fill = 0;
  /** Bytes the current block takes before it is written: the first one may be short (fs/off-grid). */
  #limit: number;
  #issued = 0;
  #written = 0;
  #pending: Promise<void> = Promise.resolve();
  #released = false;

  constructor(
    private readonly handle: FileHandle,
    /** File offset of the first byte pushed. */
    private readonly position: number,
    private readonly hash?: Hash,
    blockSize = BLOCK_SIZE,
    /** Told the file offset up to which bytes are on file, after each completed write. */
    private readonly onWritten?: (end: number) => void,
    /**
     * Whether pushed chunks are fresh buffers, garbage once copied here (a
     * socket's, a fetch body's): they are counted for runtime/gc. Not so for
     * chunks read in place (net/direct-get): counting those forced a young GC
     * every 4 MiB that freed nothing (`dme sync --once` of 5M rows, 4 pairs:
     * importing thread 1.57-2.17 vs 1.93-2.17 CPU-s, 15k-19k vs 34k-58k page faults in 3 of 4).
     */
    private readonly freshChunks = true,
  ) {
    this.#block = takeBlock(blockSize);
    this.#spare = takeBlock(blockSize);
    this.#limit = firstBlockBytes(position, blockSize);
  }

  /** Bytes pushed so far (buffered or written). */
  get accepted(): number {
    return this.#issued + this.#fill;
  }

  /** Bytes on file (their write completed). */
  get written(): number {
    return this.#written;
  }

  async push(chunk: Uint8Array): Promise<void> {
    if (this.#released) throw new Error('BlockWriter used after release');
    if (this.freshChunks) chunksAllocated(chunk.byteLength);
    let rest = chunk;
    while (rest.byteLength > 0) {
      const n = Math.min(rest.byteLength, this.#limit - this.#fill);
      this.#block.set(rest.subarray(0, n), this.#fill);
      this.#fill += n;
      rest = rest.subarray(n);
      if (this.#fill === this.#limit) await this.#issue();
    }
  }

  /** Writes what is buffered and waits until every write has completed. */
  async flush(): Promise<void> {
    await this.#issue();
    await this.#pending;
  }

  /** Hands the blocks back once no write is pending; the writer must not be used afterwards. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.#pending.catch(() => undefined);
    giveBlock(this.#block);
    giveBlock(this.#spare);
  }

  async #issue(): Promise<void> {
    if (this.#released) throw new Error('BlockWriter used after release');
    await this.#pending;
    if (this.#fill === 0) return;
    const bytes = this.#block.subarray(0, this.#fill);
    const at = this.position + this.#issued;
    this.#issued += bytes.byteLength;
    this.#pending = this.handle.write(bytes, 0, bytes.byteLength, at).then(() => {
      this.#written += bytes.byteLength;
      this.onWritten?.(this.position + this.#written);
    });
    // Hashed while the thread pool writes.
    this.hash?.update(bytes);
    [this.#block, this.#spare] = [this.#spare, this.#block];
    this.#fill = 0;
    this.#limit = this.#block.byteLength;
  }
}
