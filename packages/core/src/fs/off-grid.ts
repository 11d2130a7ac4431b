/**
 * @module fs/off-grid
 * Keeps large writes off the 1 MiB grid. Linux caches a file in folios as
 * large as a write allows: a write of 1 MiB or more that starts on a 1 MiB
 * boundary gets a 1 MiB folio (ext4, kernel 6.x). Allocating one from memory
 * the guest has not used lately costs several times the copy on this VM
 * class: 1 GiB written in 1 MiB writes took 0.73-0.91 CPU-s on the grid and
 * 0.14-0.20 s when every write started 4, 64 or 256 KiB off it (a fresh file
 * after 6 s idle each time, 2 rounds; smaller folios come from the free
 * lists as they are). Writers of big blocks start their first block short
 * (BlockWriter) or split a write that would start on the grid.
 */
import { writeSync } from 'node:fs';

export const FOLIO_GRID = 1024 * 1024;
/** How far off the grid blocks are moved. */
export const OFF_GRID = 64 * 1024;

/** Size of the first block of a writer starting at `position` with `blockSize`-byte blocks, so that none of its blocks starts on the grid. */
export function firstBlockBytes(position: number, blockSize: number): number {
  return blockSize >= FOLIO_GRID && position % FOLIO_GRID === 0 ? blockSize - OFF_GRID : blockSize;
}

/** writeSync of all `length` bytes at `position`, as two writes when one would start on the grid and fill a folio there. */
export function writeOffGrid(fd: number, buf: Uint8Array, offset: number, length: number, position: number): void {
  let done = 0;
  if (length >= FOLIO_GRID && position % FOLIO_GRID === 0) {
    while (done < OFF_GRID) done += writeSync(fd, buf, offset + done, OFF_GRID - done, position + done);
  }
  while (done < length) done += writeSync(fd, buf, offset + done, length - done, position + done);
}
