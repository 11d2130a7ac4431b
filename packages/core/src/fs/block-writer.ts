/**
 * @module fs/block-writer
 * Appends a stream of network chunks to a file in large blocks: the hub's
 * upload bodies, the sync engine's payload downloads. Socket chunks arrive at
 * 64 KiB; writing each one costs a thread-pool round trip, a promise and a
 * syscall, so they are copied into 1 MiB blocks (fs/aligned-blocks) and one
 * block is written while the next fills (measured on a 256 MiB PUT: hub CPU
 * 0.67-0.75 s → 0.50-0.55 s). An optional running hash sees exactly the
 * bytes of each write issued, in order.
 *
 * Given a direct handle (fs/direct-io), blocks are laid out on DIRECT_ALIGN
 * in the file: a writer starting off it first fills only up to the next
 * boundary, and every aligned block goes around the page cache, its unaligned
 * tail (the end of the data) through the ordinary handle. Without one, the
 * first block is cut short instead to keep writes off the folio grid
 * (fs/off-grid).
 *
 * Invariants: writes run one at a time, in order, and none after a failed
 * one, so `written` (bytes whose write completed) always covers a prefix of
 * what was pushed and the file holds it. A writer holds at most `maxBlocks`
 * blocks (two unless asked, more only while the pool has idle ones); with
 * all of them written or queued, `push` waits for the oldest write, so the
 * disk's pace reaches the sender as TCP backpressure. A block is never
 * refilled while the disk may still be reading it. After a failed write
 * the hash no longer matches the file: callers must drop it. A block
 * returns to the pool only once no write of it is pending, and is never
 * used again by its writer.
 */
import type { Hash } from 'node:crypto';
import { chunksAllocated } from '../runtime/gc.js';
import { BLOCK_SIZE, giveBlock, isPageAligned, spareBlock, takeBlock } from './aligned-blocks.js';
import { DIRECT_ALIGN, directRefused } from './direct-io.js';
import { firstBlockBytes } from './off-grid.js';

export { BLOCK_SIZE };

/** What BlockWriter needs of a file: positional writes (a FileHandle has them). */
export interface PositionalWrites {
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
}

export interface BlockWriterOptions {
  hash?: Hash;
  /** Multiple of DIRECT_ALIGN for direct writes to stay aligned. */
  blockSize?: number;
  /** Told the file offset up to which bytes are on file, after each completed write. */
  onWritten?: (end: number) => void;
  /**
   * Whether pushed chunks are fresh buffers, garbage once copied here (a
   * socket's, a fetch body's): they are counted for runtime/gc. Not so for
   * chunks read in place (net/direct-get): counting those forced a young GC
   * every 4 MiB that freed nothing (`dme sync --once` of 5M rows, 4 pairs:
   * importing thread 1.57-2.17 vs 1.93-2.17 CPU-s, 15k-19k vs 34k-58k page faults in 3 of 4).
   */
  freshChunks?: boolean;
  /** An O_DIRECT handle on the same file (fs/direct-io.openDirect); the caller closes it. */
  direct?: PositionalWrites;
  /**
   * Blocks held at once (default and least 2): past two, only idle blocks of
   * the shared pool (fs/aligned-blocks spareBlock), so writes queue behind a
   * slow one while the caller keeps filling instead of waiting.
   */
  maxBlocks?: number;
}

/** A block handed to the disk: it is filled again only once `written` is set. */
interface Issued {
  block: Uint8Array;
  done: Promise<void>;
  written: boolean;
}

export class BlockWriter {
  readonly #hash?: Hash;
  readonly #onWritten?: (end: number) => void;
  readonly #freshChunks: boolean;
  readonly #maxBlocks: number;
  #direct?: PositionalWrites;
  #block: Uint8Array;
  /** Blocks whose write completed, ready to fill. */
  #idle: Uint8Array[] = [];
  /** Writes issued, oldest first; they run one at a time, in order. */
  #queue: Issued[] = [];
  #fill = 0;
  /** Bytes the current block takes before it is written: the first one may be short. */
  #limit: number;
  #issued = 0;
  #written = 0;
  #tail: Promise<void> = Promise.resolve();
  #released = false;

  constructor(
    private readonly handle: PositionalWrites,
    /** File offset of the first byte pushed. */
    private readonly position: number,
    opts: BlockWriterOptions = {},
  ) {
    const blockSize = opts.blockSize ?? BLOCK_SIZE;
    this.#hash = opts.hash;
    this.#onWritten = opts.onWritten;
    this.#freshChunks = opts.freshChunks ?? true;
    // Spares are pool blocks, of BLOCK_SIZE.
    this.#maxBlocks = blockSize === BLOCK_SIZE ? Math.max(2, opts.maxBlocks ?? 2) : 2;
    this.#direct = opts.direct;
    this.#block = takeBlock(blockSize);
    this.#idle.push(takeBlock(blockSize));
    const offAlign = position % DIRECT_ALIGN;
    this.#limit = !this.#direct ? firstBlockBytes(position, blockSize) : offAlign ? DIRECT_ALIGN - offAlign : blockSize;
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
    if (this.#freshChunks) chunksAllocated(chunk.byteLength);
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
    await this.#tail;
  }

  /** Hands the blocks back once no write is pending; the writer must not be used afterwards. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.#tail.catch(() => undefined);
    // A Set: after a failed write the block being filled may also be the last one queued.
    for (const block of new Set([this.#block, ...this.#idle, ...this.#queue.map((q) => q.block)])) giveBlock(block);
    this.#idle = [];
    this.#queue = [];
  }

  async #issue(): Promise<void> {
    if (this.#released) throw new Error('BlockWriter used after release');
    if (this.#fill === 0) return;
    const block = this.#block;
    const length = this.#fill;
    const at = this.position + this.#issued;
    this.#issued += length;
    const issued: Issued = { block, done: Promise.resolve(), written: false };
    // After a failed write none of the later ones runs: the file stays a prefix.
    issued.done = this.#tail
      .then(() => this.#write(block, length, at))
      .then(() => {
        issued.written = true;
        this.#written += length;
        this.#onWritten?.(this.position + this.#written);
      });
    issued.done.catch(() => undefined);
    this.#tail = issued.done;
    this.#queue.push(issued);
    // Hashed while the thread pool writes.
    this.#hash?.update(block.subarray(0, length));
    this.#fill = 0;
    this.#block = await this.#nextBlock();
    this.#limit = this.#block.byteLength;
  }

  /** An idle block, else a spare one from the pool while under maxBlocks, else the oldest write's once it completed. */
  async #nextBlock(): Promise<Uint8Array> {
    for (;;) {
      while (this.#queue[0]?.written) this.#idle.push(this.#queue.shift()!.block);
      const idle = this.#idle.pop();
      if (idle) return idle;
      // With none idle, every block this writer holds is queued.
      if (this.#queue.length < this.#maxBlocks) {
        const spare = spareBlock();
        if (spare) return spare;
      }
      // Never empty here: every owned block but the one just issued is idle or queued.
      await this.#queue[0]!.done;
    }
  }

  async #write(block: Uint8Array, length: number, at: number): Promise<void> {
    const aligned = length - (length % DIRECT_ALIGN);
    let done = 0;
    if (this.#direct && aligned > 0 && at % DIRECT_ALIGN === 0 && isPageAligned(block)) {
      try {
        await this.#direct.write(block, 0, aligned, at);
        done = aligned;
      } catch (err) {
        if (!directRefused(err)) throw err;
        this.#direct = undefined;
      }
    }
    while (done < length) {
      const { bytesWritten } = await this.handle.write(block, done, length - done, at + done);
      if (bytesWritten <= 0) throw new Error(`write at ${at + done} stored nothing`);
      done += bytesWritten;
    }
  }
}
