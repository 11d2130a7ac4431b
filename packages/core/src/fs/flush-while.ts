/**
 * @module fs/flush-while
 * Writes a file's dirty pages to disk, again and again, while something else
 * writes it. A snapshot import's commit checkpoints its whole WAL into the
 * library (5M phone rows: ~400 MB) and then fsyncs the library, which found
 * all of it still in the page cache and waited for the disk alone; flushed
 * from beside the checkpoint, the final fsync finds little left. Measured,
 * `dme sync --once` of 5M rows, 4 alternating pairs: the commit took
 * 748-827 ms instead of 1,024-1,330 ms.
 *
 * Only ever an optimisation: whoever writes the file syncs it as before, so
 * a failure here (the file cannot be opened, a flush fails) just stops the
 * flushing and is not reported.
 */
import { open, type FileHandle } from 'node:fs/promises';

/** Between two flushes: long enough for pages to gather, short against a commit of hundreds of MB. */
export const FLUSH_INTERVAL_MS = 20;

/** Flushes `path` every `intervalMs` until `until` settles; resolves with the number of flushes, never rejects. */
export async function flushWhile(path: string, until: Promise<unknown>, intervalMs = FLUSH_INTERVAL_MS): Promise<number> {
  let settled = false;
  const done = until.then(
    () => void (settled = true),
    () => void (settled = true),
  );
  let handle: FileHandle;
  try {
    // Writable: Windows flushes only handles opened for writing.
    handle = await open(path, 'r+');
  } catch {
    return 0;
  }
  let flushes = 0;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, intervalMs)))]);
      clearTimeout(timer);
      if (settled) return flushes;
      await handle.datasync();
      flushes++;
    }
  } catch {
    return flushes;
  } finally {
    await handle.close().catch(() => undefined);
  }
}
