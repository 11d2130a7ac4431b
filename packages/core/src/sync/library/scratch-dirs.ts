/**
 * @module sync/library/scratch-dirs
 * The scratch directories a parallel import (sync/import/scratch.ts) keeps
 * beside the library while it runs. Their names carry the importing
 * process's pid, `.dme-import-<pid>-XXXXXX`, because a killed process
 * cannot delete its own: the next openLibrary in that directory removes
 * every one whose process is gone, as it drops a killed import's staging
 * tables. Their contents never matter once the process is gone (a scratch
 * file is read only by the import that wrote it, inside its transaction).
 *
 * Invariant: a directory whose process is alive is never touched, whichever
 * library or thread it belongs to; a pid reused by another process keeps
 * its directory until that process ends too.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const SCRATCH_DIR_PREFIX = '.dme-import-';

/**
 * A name from before pids were recorded (`.dme-import-XXXXXX`) has no owner
 * to ask: it is removed once nothing has written to it for this long.
 */
const UNOWNED_STALE_MS = 60 * 60 * 1000;

/** Creates this process's new scratch directory in `parent`. */
export function makeScratchDir(parent: string): string {
  return mkdtempSync(join(parent, `${SCRATCH_DIR_PREFIX}${process.pid}-`));
}

/** Whether a process with this pid exists (EPERM: it does, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerOf(name: string): number | undefined {
  const m = /^(\d+)-./.exec(name.slice(SCRATCH_DIR_PREFIX.length));
  const pid = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Removes the scratch directories in `parent` left by processes that are
 * gone; returns their names. Best effort: an unreadable directory or an
 * entry that cannot be removed is left for the next time.
 */
export function removeStaleScratchDirs(parent: string, now = Date.now()): string[] {
  let names: string[];
  try {
    names = readdirSync(parent).filter((n) => n.startsWith(SCRATCH_DIR_PREFIX));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const path = join(parent, name);
    try {
      const pid = ownerOf(name);
      const stale = pid !== undefined ? !processAlive(pid) : now - statSync(path).mtimeMs > UNOWNED_STALE_MS;
      if (!stale) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Raced with its owner or another cleaner, or not ours to delete: harmless either way.
    }
  }
  return removed;
}
