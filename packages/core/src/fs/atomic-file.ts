/**
 * @module fs/atomic-file
 * Write a file so that readers only ever see nothing or the complete result:
 * the bytes go to a temporary file beside the target (same directory, so the
 * final rename is atomic on one filesystem), are flushed to disk, and are
 * renamed over the target only when the writer succeeded. A failure removes
 * the temporary file and leaves the target as it was; a process interrupted
 * mid-write calls removePendingTempFiles() from its signal handler (the CLI
 * does), since signal policy belongs to the program, not to this module.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { unlinkSync } from 'node:fs';

const pending = new Set<string>();

/** Deletes the temporary files of writes still in progress. Synchronous, for signal handlers. */
export function removePendingTempFiles(): void {
  for (const path of pending) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
  pending.clear();
}

export interface AtomicWriteOptions {
  /** File mode of the result, e.g. 0o600 for secrets. */
  mode?: number;
  /** Refuse to replace an existing file. */
  exclusive?: boolean;
  /**
   * fsync before the rename (default true). Off for bulk outputs a user can
   * recreate (`dme encrypt -o`): like `age -o` and `cp`, flushing is left to the
   * kernel — fsync of a 1 GiB output costs more than the encryption itself. The
   * rename still makes the result all-or-nothing for readers.
   */
  durable?: boolean;
}

export async function writeFileAtomically<T>(
  target: string,
  write: (out: WriteStream) => Promise<T>,
  options: AtomicWriteOptions = {},
): Promise<T> {
  const mode = options.mode ?? 0o644;
  if (options.exclusive) {
    // Fail early and clearly rather than after writing a large temporary file.
    const probe = await open(target, 'r').catch(() => undefined);
    if (probe) {
      await probe.close();
      throw Object.assign(new Error(`${target} already exists`), { code: 'EEXIST' });
    }
  }
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  pending.add(tmp);
  const out = createWriteStream(tmp, { flags: 'wx', mode });
  try {
    await new Promise<void>((resolve, reject) => {
      out.once('open', () => resolve());
      out.once('error', reject);
    });
    const result = await write(out);
    if (!out.writableFinished) {
      await new Promise<void>((resolve, reject) => {
        out.once('error', reject);
        out.end(() => resolve());
      });
    }
    if (options.durable ?? true) {
      const handle = await open(tmp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    await rename(tmp, target);
    pending.delete(tmp);
    return result;
  } catch (err) {
    out.destroy();
    await unlink(tmp).catch(() => undefined);
    pending.delete(tmp);
    throw err;
  }
}
