/**
 * @module fs/direct-io
 * A second handle on a file that writes around the page cache (O_DIRECT),
 * for large write-once files such as the hub's stored payloads. Through the
 * cache, every byte is first copied into pages the guest may not have used
 * lately (costly on a VM) and written back again before the file is durable;
 * direct writes go from the page-aligned block to the disk. 1 GiB in 1 MiB
 * writes, then fdatasync: 0.05-0.06 CPU-s direct against 0.39-0.49 off the
 * folio grid (fs/off-grid) and 1.54-1.58 on it, 2 rounds each.
 *
 * A direct write needs its memory (fs/aligned-blocks), file offset and
 * length all on DIRECT_ALIGN; BlockWriter sends only such writes here and
 * the rest through the ordinary handle. Where the file system or platform
 * has no O_DIRECT (tmpfs, macOS, Windows), there is no direct handle and
 * everything goes through the cache as before.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** Offset, length and memory alignment every direct write keeps (a page: covers 512-byte and 4 KiB sectors). */
export const DIRECT_ALIGN = 4096;

/** A write-only O_DIRECT handle on an existing file, or undefined where direct I/O is not to be had. */
export async function openDirect(path: string): Promise<FileHandle | undefined> {
  const flag = (constants as { O_DIRECT?: number }).O_DIRECT;
  if (!flag) return undefined;
  try {
    return await open(path, constants.O_WRONLY | flag);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EINVAL') return undefined;
    throw err;
  }
}

/** Whether a write failed because the file system turned the direct write down (it then goes through the cache). */
export function directRefused(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'EINVAL';
}
