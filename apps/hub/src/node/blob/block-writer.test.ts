/** BlockWriter on a real file: block boundaries, the running hash, and what is on file after each step. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockWriter } from './block-writer.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dme-block-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('BlockWriter', () => {
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
});
