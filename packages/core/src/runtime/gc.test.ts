/** runtime/gc: chunk bytes counted per thread trigger young GCs at the set interval, and gc() is never left exposed. */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CHUNK_GC_BYTES, chunksAllocated, minorGc } from './gc.js';

/** Runs `fn`, then lets the observer deliver; returns the young GCs seen meanwhile. */
async function minorGcsDuring(fn: () => void): Promise<number> {
  let minors = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (((e as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minors++;
  });
  obs.observe({ entryTypes: ['gc'] });
  try {
    fn();
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    obs.disconnect();
  }
  return minors;
}

describe('runtime/gc', () => {
  it('minorGc runs a young-generation collection', async () => {
    expect(await minorGcsDuring(() => minorGc()())).toBeGreaterThanOrEqual(1);
  });

  it('collects once per CHUNK_GC_BYTES of chunks, however they are split', async () => {
    // Start from a fresh count: a collection is due at the first byte past a whole interval.
    await minorGcsDuring(() => chunksAllocated(CHUNK_GC_BYTES));
    const quiet = await minorGcsDuring(() => {
      for (let i = 0; i < 63; i++) chunksAllocated(CHUNK_GC_BYTES / 64);
    });
    const due = await minorGcsDuring(() => chunksAllocated(CHUNK_GC_BYTES / 64));
    const many = await minorGcsDuring(() => {
      for (let i = 0; i < 3 * 64; i++) chunksAllocated(CHUNK_GC_BYTES / 64);
    });
    expect(quiet).toBe(0);
    expect(due).toBeGreaterThanOrEqual(1);
    expect(many).toBeGreaterThanOrEqual(3);
  });

  it('leaves gc() unexposed to this realm and to new contexts', () => {
    minorGc()();
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe('undefined');
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });
});
