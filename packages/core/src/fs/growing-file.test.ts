import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GrowingFile } from './growing-file.js';

const dir = mkdtempSync(join(tmpdir(), 'dme-growing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

describe('GrowingFile', () => {
  it('reads what is written as the writer reports it, and ends only once complete', async () => {
    const path = join(dir, 'a');
    const all = randomBytes(3 * (1 << 20) + 5);
    writeFileSync(path, all.subarray(0, 1000));
    const g = new GrowingFile(path);
    g.grewTo(1000);
    let ended = false;
    const reading = collect(g.source()).then((b) => ((ended = true), b));
    await new Promise((r) => setTimeout(r, 20));
    appendFileSync(path, all.subarray(1000, 2 << 20));
    g.grewTo(2 << 20);
    // Bytes past the reported end are not read, even when already on file.
    appendFileSync(path, all.subarray(2 << 20));
    await new Promise((r) => setTimeout(r, 20));
    expect(ended).toBe(false);
    g.grewTo(all.length);
    await new Promise((r) => setTimeout(r, 20));
    expect(ended).toBe(false);
    g.complete();
    expect((await reading).equals(all)).toBe(true);
  });

  it('reads straight into the caller\'s buffer, never past the reported end, and gives 0 once complete', async () => {
    const path = join(dir, 'c');
    const all = randomBytes(10_000);
    writeFileSync(path, all);
    const g = new GrowingFile(path);
    g.grewTo(4000);
    const src = g.source();
    const target = Buffer.alloc(12_000);
    expect(await src.read(target, 100, 6000)).toBe(4000);
    expect(target.subarray(100, 4100).equals(all.subarray(0, 4000))).toBe(true);
    const waiting = src.read(target, 4100, 6000);
    await new Promise((r) => setTimeout(r, 20));
    g.grewTo(all.length);
    expect(await waiting).toBe(6000);
    expect(target.subarray(100, 10_100).equals(all)).toBe(true);
    g.complete();
    expect(await src.read(target, 0, 10)).toBe(0);
  });

  it('fails the reader, also while it waits for more', async () => {
    const path = join(dir, 'b');
    writeFileSync(path, 'abc');
    const g = new GrowingFile(path);
    g.grewTo(3);
    const reading = collect(g.source());
    await new Promise((r) => setTimeout(r, 20));
    g.fail(new Error('payload check failed'));
    await expect(reading).rejects.toThrow('payload check failed');
  });
});
