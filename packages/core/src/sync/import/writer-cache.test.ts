import { describe, expect, it } from 'vitest';
import { writerCacheKiB } from './writer-cache.js';

describe('writerCacheKiB', () => {
  it('holds pageSize/8 pages: 2 MiB at 4 KiB pages, 8 MiB at 8 KiB, 32 MiB at 16 KiB', () => {
    expect(writerCacheKiB(4096, 1 << 20)).toBe(2048);
    expect(writerCacheKiB(8192, 1 << 20)).toBe(8192);
    expect(writerCacheKiB(16384, 1 << 20)).toBe(32768);
  });

  it('never goes below 2 MiB or above 32 MiB', () => {
    expect(writerCacheKiB(512, 1 << 20)).toBe(2048);
    expect(writerCacheKiB(65536, 1 << 20)).toBe(32768);
  });

  it('stays within the bound the library was opened with', () => {
    expect(writerCacheKiB(8192, 8192)).toBe(8192);
    expect(writerCacheKiB(16384, 8192)).toBe(8192);
    expect(writerCacheKiB(8192, 1024)).toBe(1024);
  });
});
