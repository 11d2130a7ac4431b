/** BlockWriter on a real file: block boundaries, the running hash, and what is on file after each step. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCK_SIZE, BlockWriter } from './block-writer.js';
import { DIRECT_ALIGN, openDirect } from './direct-io.js';
import { OFF_GRID } from './off-grid.js';

let dir: string;
let diskDir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dme-block-'));
  diskDir = await mkdtemp(fileURLToPath(new URL('../../.direct-io-', import.meta.url)));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(diskDir, { recursive: true, force: true });
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
      const sink = new BlockWriter(handle, start, { onWritten: (end) => ends.push(end) });
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
    const sink = new BlockWriter(handle, head.length, { hash, blockSize: 4096 });
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
    const sink = new BlockWriter(handle, 0, { blockSize: 4096 });
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
    const sink = new BlockWriter(handle, 0, { blockSize: 1024 });
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

describe('BlockWriter with a direct handle', () => {
  /** Records the ranges each handle was asked to write, then writes them through `inner`. */
  const recording = (inner: FileHandle, ranges: Array<[number, number]>, fail?: NodeJS.ErrnoException) => ({
    write: async (buf: Uint8Array, off: number, len: number, at: number) => {
      ranges.push([at, len]);
      if (fail) throw fail;
      return inner.write(buf, off, len, at);
    },
  });

  it('sends aligned whole blocks around the cache and only an unaligned head and tail through it', async () => {
    // On disk (the package directory), not a tmpfs /tmp: O_DIRECT must really be taken.
    const path = join(diskDir, 'direct.bin');
    const head = randomBytes(5000);
    const data = randomBytes(2 * BLOCK_SIZE + 9000);
    await writeFile(path, head);
    const handle = await open(path, 'r+');
    const real = await openDirect(path);
    expect(real, 'O_DIRECT on the package directory').toBeDefined();
    const viaDirect: Array<[number, number]> = [];
    const viaCache: Array<[number, number]> = [];
    const hash = createHash('sha256');
    const sink = new BlockWriter(recording(handle, viaCache), head.length, { hash, direct: recording(real!, viaDirect) });
    for (let at = 0; at < data.length; at += 65_536) await sink.push(data.subarray(at, at + 65_536));
    await sink.flush();
    await sink.release();
    await Promise.all([handle.close(), real!.close()]);
    expect((await readFile(path)).equals(Buffer.concat([head, data]))).toBe(true);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    // 5000 → 8192 through the cache, then 1 MiB blocks from there, then the tail's last unaligned bytes.
    const end = head.length + data.length;
    expect(viaCache[0]).toEqual([5000, DIRECT_ALIGN * 2 - 5000]);
    expect(viaDirect.every(([at, len]) => at % DIRECT_ALIGN === 0 && len % DIRECT_ALIGN === 0)).toBe(true);
    expect(viaDirect.slice(0, 2)).toEqual([[8192, BLOCK_SIZE], [8192 + BLOCK_SIZE, BLOCK_SIZE]]);
    expect(viaCache.at(-1)).toEqual([end - (end % DIRECT_ALIGN), end % DIRECT_ALIGN]);
    expect([...viaCache, ...viaDirect].reduce((n, [, len]) => n + len, 0)).toBe(data.length);
  });

  it('falls back to the cache when the file system turns a direct write down, and the file is still whole', async () => {
    const path = join(dir, 'refused.bin');
    const data = randomBytes(BLOCK_SIZE + 4096 * 3);
    const handle = await open(path, 'w+');
    const viaDirect: Array<[number, number]> = [];
    const einval = Object.assign(new Error('EINVAL: invalid argument, write'), { code: 'EINVAL' });
    const sink = new BlockWriter(handle, 0, { direct: recording(handle, viaDirect, einval) });
    await sink.push(data);
    await sink.flush();
    await sink.release();
    await handle.close();
    expect(viaDirect).toHaveLength(1);
    expect(sink.written).toBe(data.length);
    expect((await readFile(path)).equals(data)).toBe(true);
  });

  it('any other failure of a direct write fails the writer and counts nothing more as written', async () => {
    const path = join(dir, 'eio.bin');
    const handle = await open(path, 'w+');
    const eio = Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    const sink = new BlockWriter(handle, 0, { direct: recording(handle, [], eio) });
    await sink.push(randomBytes(BLOCK_SIZE));
    await expect(sink.flush()).rejects.toThrow(/EIO/);
    expect(sink.written).toBe(0);
    await sink.release();
    await handle.close();
  });
});

describe('BlockWriter with queued blocks (maxBlocks)', () => {
  /** Writes through to `inner` once `open()` was called, one at a time; records order and overlap. */
  const gated = (inner: FileHandle, fail?: { at: number; err: Error }) => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const log = { starts: [] as number[], overlap: 0, running: 0 };
    return {
      open: () => release(),
      log,
      handle: {
        write: async (buf: Uint8Array, off: number, len: number, at: number) => {
          log.starts.push(at);
          log.running++;
          log.overlap = Math.max(log.overlap, log.running);
          try {
            await gate;
            if (fail && at === fail.at) throw fail.err;
            return await inner.write(buf, off, len, at);
          } finally {
            log.running--;
          }
        },
      },
    };
  };

  it('keeps taking chunks while a write is stuck, up to maxBlocks, then writes them in order, one at a time', async () => {
    const path = join(dir, 'queued.bin');
    const handle = await open(path, 'w+');
    const g = gated(handle);
    const hash = createHash('sha256');
    const data = randomBytes(5 * BLOCK_SIZE + 321);
    const sink = new BlockWriter(g.handle, 0, { hash, maxBlocks: 8 });
    // Nothing has been written yet, and still the whole 5 MiB was taken.
    await sink.push(data);
    expect(sink.written).toBe(0);
    expect(sink.accepted).toBe(data.length);
    g.open();
    await sink.flush();
    await sink.release();
    await handle.close();
    expect(sink.written).toBe(data.length);
    expect((await readFile(path)).equals(data)).toBe(true);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    expect(g.log.overlap).toBe(1);
    expect(g.log.starts).toEqual([...g.log.starts].sort((a, b) => a - b));
  });

  it('with the default two blocks, push waits for the stuck write', async () => {
    const path = join(dir, 'two.bin');
    const handle = await open(path, 'w+');
    const g = gated(handle);
    const sink = new BlockWriter(g.handle, 0);
    let pushed = false;
    const pushing = sink.push(randomBytes(3 * BLOCK_SIZE)).then(() => (pushed = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(pushed).toBe(false);
    g.open();
    await pushing;
    await sink.flush();
    await sink.release();
    await handle.close();
    expect(sink.written).toBe(3 * BLOCK_SIZE);
  });

  it('runs no queued write after a failed one: the file and `written` stay a prefix', async () => {
    const path = join(dir, 'queued-fail.bin');
    const handle = await open(path, 'w+');
    const first = BLOCK_SIZE - OFF_GRID;
    const g = gated(handle, { at: first, err: Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }) });
    const data = randomBytes(4 * BLOCK_SIZE);
    // Two blocks: the push itself waits for the failing write and fails.
    const sink = new BlockWriter(g.handle, 0);
    const pushing = sink.push(data);
    g.open();
    await expect(pushing).rejects.toThrow(/EIO/);
    await expect(sink.flush()).rejects.toThrow(/EIO/);
    await sink.release();
    expect(sink.written).toBe(first);
    expect(g.log.starts).toEqual([0, first]);
    expect((await readFile(path)).equals(data.subarray(0, first))).toBe(true);
    // The blocks went back once each: a fresh writer's bytes are its own.
    const again = randomBytes(3 * BLOCK_SIZE);
    const a = new BlockWriter(handle, 0, { maxBlocks: 8 });
    const b = new BlockWriter(handle, 3 * BLOCK_SIZE, { maxBlocks: 8 });
    const other = randomBytes(3 * BLOCK_SIZE);
    await Promise.all([a.push(again), b.push(other)]);
    await Promise.all([a.flush(), b.flush()]);
    await Promise.all([a.release(), b.release()]);
    await handle.close();
    expect((await readFile(path)).equals(Buffer.concat([again, other]))).toBe(true);
  });
});
