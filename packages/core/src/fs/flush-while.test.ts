/** flushWhile on real files: it flushes while the promise is pending, stops when it settles, and never fails. */
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushWhile } from './flush-while.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dme-flush-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Resolves (or rejects) after `writes` appends to `path`, each followed by a pause longer than the flush interval. */
async function writer(path: string, writes: number, fail = false): Promise<void> {
  const h = await open(path, 'a');
  try {
    for (let i = 0; i < writes; i++) {
      await h.write(Buffer.alloc(64 * 1024, i));
      await new Promise((r) => setTimeout(r, 15));
    }
  } finally {
    await h.close();
  }
  if (fail) throw new Error('the writer failed');
}

describe('flushWhile', () => {
  it('flushes the file repeatedly while the writer runs, then stops and resolves', async () => {
    const path = join(dir, 'a.db');
    await writeFile(path, '');
    const writing = writer(path, 10);
    const flushes = await flushWhile(path, writing, 5);
    await writing;
    // ~150 ms of writing at one flush per 5 ms (plus the flush itself): several, whatever the machine's speed.
    expect(flushes).toBeGreaterThan(1);
    // Settled means stopped: a second call on a settled promise flushes nothing.
    expect(await flushWhile(path, writing, 5)).toBe(0);
  });

  it('resolves when the writer fails, without rejecting', async () => {
    const path = join(dir, 'b.db');
    await writeFile(path, '');
    const writing = writer(path, 3, true);
    writing.catch(() => undefined);
    await expect(flushWhile(path, writing, 5)).resolves.toBeGreaterThanOrEqual(0);
    await expect(writing).rejects.toThrow('the writer failed');
  });

  it('does nothing, and does not fail, when the file cannot be opened', async () => {
    const missing = join(dir, 'missing', 'c.db');
    await expect(flushWhile(missing, new Promise((r) => setTimeout(r, 30)), 5)).resolves.toBe(0);
  });

  it('returns as soon as the promise settles, not after a whole interval', async () => {
    const path = join(dir, 'd.db');
    await writeFile(path, 'x');
    const t0 = Date.now();
    const flushes = await flushWhile(path, Promise.resolve(), 60_000);
    expect(flushes).toBe(0);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });
});
