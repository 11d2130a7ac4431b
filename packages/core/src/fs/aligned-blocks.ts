/**
 * @module fs/aligned-blocks
 * A process-wide pool of 1 MiB write blocks whose memory starts on a page
 * boundary, as O_DIRECT writes need (fs/direct-io). JavaScript cannot ask
 * for an aligned ArrayBuffer, but a WebAssembly.Memory is mapped in whole
 * pages: one 16 MiB memory is cut into the first sixteen blocks. Its pages
 * are touched only when a block is first filled, so the arena costs address
 * space, not RSS. Blocks beyond it (or where WebAssembly.Memory is refused)
 * are plain arrays, written through the page cache.
 *
 * Blocks go back to the pool on `giveBlock`: a fresh pair per request meant
 * 2 MiB of first-touched memory per upload piece, which on a VM costs more
 * than the piece's own copy.
 */
export const BLOCK_SIZE = 1024 * 1024;

/** Blocks carved from the aligned arena, and idle blocks kept for the next writer (eight at once without a fresh allocation). */
const ARENA_BLOCKS = 16;
const WASM_PAGE = 64 * 1024;

/** The one WebAssembly API used, typed here: the project's libs leave WebAssembly out. */
const wasm = (globalThis as unknown as { WebAssembly?: { Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer } } }).WebAssembly;

const pool: Uint8Array[] = [];
const aligned = new WeakSet<Uint8Array>();
let arena: ArrayBuffer | null | undefined;
let carved = 0;

function carve(): Uint8Array | undefined {
  if (arena === undefined) {
    try {
      const pages = (ARENA_BLOCKS * BLOCK_SIZE) / WASM_PAGE;
      arena = wasm ? new wasm.Memory({ initial: pages, maximum: pages }).buffer : null;
    } catch {
      arena = null;
    }
  }
  if (!arena || carved === ARENA_BLOCKS) return undefined;
  const block = new Uint8Array(arena, carved++ * BLOCK_SIZE, BLOCK_SIZE);
  aligned.add(block);
  return block;
}

/** A block of `size` bytes: a pooled or arena block when `size` is BLOCK_SIZE. */
export function takeBlock(size: number): Uint8Array {
  if (size !== BLOCK_SIZE) return new Uint8Array(size);
  return pool.pop() ?? carve() ?? new Uint8Array(size);
}

/** An idle pooled or arena block, never a fresh allocation: for writers that may queue more blocks while some are free. */
export function spareBlock(): Uint8Array | undefined {
  return pool.pop() ?? carve();
}

/** Returns a block to the pool; the caller must not touch it afterwards. */
export function giveBlock(block: Uint8Array): void {
  if (block.byteLength === BLOCK_SIZE && pool.length < ARENA_BLOCKS) pool.push(block);
}

/** Whether the block's memory starts on a page boundary (it came from the arena). */
export function isPageAligned(block: Uint8Array): boolean {
  return aligned.has(block);
}
