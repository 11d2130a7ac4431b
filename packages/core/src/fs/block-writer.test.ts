/** BlockWriter on a real file: block boundaries, the running hash, and what is on file after each step. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCK_SIZE, BlockWriter } from './block-writer.js';
import { OFF_GRID } from './off-grid.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dme-block-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('BlockWriter', () => {
  it('keeps its writes off the 1 MiB grid: the first block is short when it starts on it (fs/off-grid)', async () => {
    for (const [start, firstEnd] of [
      [0, BLOCK_SIZE - OFF_GRID],
      [16 * BLOCK_SIZE, 17 * BLOCK_SIZE - OFF_GRID],
      [12_345, 12_345 + BLOCK_SIZE],
    ] as const) {
      const path = join(dir, `grid-${start}.bin`);
      const data = randomBytes(3 * BLOCK_SIZE + 10);
      const handle = await open(path, 'w+');
      const ends: number[] = [];
      const sink = new BlockWriter(handle, start, undefined, BLOCK_SIZE, (end) => ends.push(end));
      await sink.push(data);
      await sink.flush();
      await sink.release();
      await handle.close();
      expect(ends[0], `writer at ${start}`).toBe(firstEnd);
      // Every later write starts where the previous one ended: none on the grid.
      expect(ends.slice(0, -1).every((end) => end % BLOCK_SIZE !== 0)).toBe(true);
      expect(ends.at(-1)).toBe(start + data.length);
      expect((await readFile(path)).subarray(start).equals(data)).toBe(true);
    }
  });

  it('writes chunks of any size at the given offset, in order, and hashes exactly what it wrote', async () => {
    const path = join(dir, 'a.bin');
    const head = randomBytes(1000);
    const data = randomBytes(10_000);
    const handle = await open(path, 'w+');
    await handle.write(head, 0, head.length, 0);
    const hash = createHash('sha256');
    const sink = new BlockWriter(handle, head.length, hash, 4096);
    // Smaller than a block, exactly a block, spanning several blocks, a single byte.
    const cuts = [0, 100, 100 + 4096, 9_999, 10_000];
    for (let i = 1; i < cuts.length; i++) await sink.push(data.subarray(cuts[i - 1], cuts[i]));
    expect(sink.accepted).toBe(10_000);
    expect(sink.written).toBeLessThanOrEqual(10_000);
    await sink.flush();
    expect(sink.written).toBe(10_000);
    await handle.close();
    expect((await readFile(path)).equals(Buffer.concat([head, data]))).toBe(true);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('holds back less than a block until flushed, then the file is the prefix pushed so far', async () => {
    const path = join(dir, 'b.bin');
    const data = randomBytes(5000);
    const handle = await open(path, 'w+');
    const sink = new BlockWriter(handle, 0, undefined, 4096);
    await sink.push(data.subarray(0, 3000));
    expect(sink.written).toBe(0);
    await sink.push(data.subarray(3000, 4500));
    await sink.flush();
    expect(sink.written).toBe(4500);
    expect((await readFile(path)).equals(data.subarray(0, 4500))).toBe(true);
    await sink.flush();
    expect(sink.written).toBe(4500);
    await handle.close();
  });

  it('a write on a closed file rejects, and nothing more counts as written', async () => {
    const handle = await open(join(dir, 'c.bin'), 'w+');
    const sink = new BlockWriter(handle, 0, undefined, 1024);
    await sink.push(randomBytes(1024));
    await sink.flush();
    await handle.close();
    await sink.push(randomBytes(1024));
    await expect(sink.flush()).rejects.toThrow();
    expect(sink.written).toBe(1024);
  });

  it('pooled blocks: a released writer lets its last write finish before the next writer reuses the block', async () => {
    const first = randomBytes(BLOCK_SIZE + 10);
    const second = randomBytes(BLOCK_SIZE);
    // A handle whose writes copy the buffer only after a delay, as the thread pool may.
    const copies: Buffer[] = [];
    const slow = {
      write: (buf: Uint8Array, off: number, len: number) =>
        new Promise<{ bytesWritten: number }>((resolve) =>
          setTimeout(() => {
            copies.push(Buffer.from(buf.subarray(off, off + len)));
            resolve({ bytesWritten: len });
          }, 30),
        ),
    };
    const a = new BlockWriter(slow as never, 0);
    await a.push(first); // the first (short) block's write is now pending; the rest waits in the other
    const released = a.release();
    await expect(a.push(first)).rejects.toThrow(/after release/);
    await released;
    const path = join(dir, 'pooled.bin');
    const handle = await open(path, 'w+');
    const b = new BlockWriter(handle, 0);
    await b.push(second);
    await b.flush();
    await b.release();
    await handle.close();
    expect(Buffer.concat(copies).equals(first.subarray(0, BLOCK_SIZE - OFF_GRID))).toBe(true);
    expect((await readFile(path)).equals(second)).toBe(true);
  });
});
