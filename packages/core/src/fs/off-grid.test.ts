/** writeOffGrid on a real file: the bytes land where asked, however the write is split. */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FOLIO_GRID, OFF_GRID, firstBlockBytes, writeOffGrid } from './off-grid.js';

const dir = mkdtempSync(join(tmpdir(), 'dme-off-grid-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('off-grid writes', () => {
  it('the first block is short only when a writer of grid-sized blocks starts on the grid', () => {
    expect(firstBlockBytes(0, FOLIO_GRID)).toBe(FOLIO_GRID - OFF_GRID);
    expect(firstBlockBytes(5 * FOLIO_GRID, 2 * FOLIO_GRID)).toBe(2 * FOLIO_GRID - OFF_GRID);
    expect(firstBlockBytes(4096, FOLIO_GRID)).toBe(FOLIO_GRID);
    expect(firstBlockBytes(0, 256 * 1024)).toBe(256 * 1024);
  });

  it('writeOffGrid puts every byte at its place, whether it splits the write or not', () => {
    const path = join(dir, 'f.bin');
    const fd = openSync(path, 'w+');
    const src = randomBytes(3 * FOLIO_GRID);
    // On the grid and long (split), on the grid and short, off the grid and long; from an offset into the buffer.
    const writes: Array<[offset: number, length: number, position: number]> = [
      [7, 2 * FOLIO_GRID, 0],
      [100, OFF_GRID, 2 * FOLIO_GRID],
      [0, FOLIO_GRID + 5, 2 * FOLIO_GRID + OFF_GRID],
    ];
    const expected = Buffer.alloc(3 * FOLIO_GRID + OFF_GRID + 5);
    for (const [offset, length, position] of writes) {
      writeOffGrid(fd, src, offset, length, position);
      src.copy(expected, position, offset, offset + length);
    }
    closeSync(fd);
    expect(readFileSync(path).equals(expected)).toBe(true);
  });
});
