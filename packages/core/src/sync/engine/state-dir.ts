/**
 * @module sync/engine/state-dir
 * The engine's private directory: `cursor` (the last handled event id),
 * `downloads/<releaseId>.payload` (partial or verified payloads, resumed
 * after a restart) and `lock` (the pid of the engine using it).
 *
 * Invariants: the cursor file is replaced atomically (write, fsync, rename),
 * so a crash leaves the old or the new id, never a torn one; one live engine
 * per directory — a lock whose pid is no longer running is stale and taken
 * over (a SIGKILLed engine cannot remove its lock).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CursorStore } from '../../sdk/events.js';
import { SyncError } from './errors.js';

const CURSOR = 'cursor';
const LOCK = 'lock';
const DOWNLOADS = 'downloads';
const PAYLOAD_SUFFIX = '.payload';
/** Directories locked by this process: a pid file cannot tell two engines of one process apart. */
const heldHere = new Set<string>();

export class StateDir {
  constructor(readonly path: string) {}

  get downloads(): string {
    return join(this.path, DOWNLOADS);
  }

  payloadPath(releaseId: string): string {
    // Release ids are hub ids (IdSchema); refuse anything that could leave the directory.
    if (!/^[A-Za-z0-9_-]+$/.test(releaseId)) throw new SyncError('SYNC_STATE', `refusing an unusual release id as a file name: ${releaseId}`);
    return join(this.downloads, `${releaseId}${PAYLOAD_SUFFIX}`);
  }

  async prepare(): Promise<void> {
    try {
      await mkdir(this.downloads, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new SyncError('SYNC_STATE', `cannot create the sync state directory ${this.path}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Release ids with a payload file left by an earlier run. */
  async leftoverPayloads(): Promise<string[]> {
    const names = await readdir(this.downloads).catch(() => [] as string[]);
    return names.filter((n) => n.endsWith(PAYLOAD_SUFFIX)).map((n) => n.slice(0, -PAYLOAD_SUFFIX.length));
  }

  async removePayload(releaseId: string): Promise<void> {
    await rm(this.payloadPath(releaseId), { force: true });
  }

  cursorStore(): CursorStore {
    const file = join(this.path, CURSOR);
    return {
      load: async () => {
        const text = await readFile(file, 'utf8').catch(() => '');
        const id = text.trim();
        return /^(?:0|[1-9][0-9]{0,15})$/.test(id) ? id : undefined;
      },
      save: (id) => writeAtomically(file, `${id}\n`),
    };
  }

  /** Takes the directory for this process; SYNC_LOCKED if a live process holds it. */
  async lock(): Promise<() => Promise<void>> {
    const file = join(this.path, LOCK);
    const key = resolve(this.path);
    if (heldHere.has(key)) throw new SyncError('SYNC_LOCKED', `another sync engine in this process is using ${this.path}`);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await open(file, 'wx', 0o600);
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        heldHere.add(key);
        return async () => {
          if (!heldHere.delete(key)) return;
          const holder = await readPid(file);
          if (holder === process.pid) await rm(file, { force: true });
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new SyncError('SYNC_STATE', `cannot write ${file}: ${(err as Error).message}`, { cause: err });
        }
      }
      const holder = await readPid(file);
      if (holder !== undefined && holder !== process.pid && alive(holder)) {
        throw new SyncError('SYNC_LOCKED', `another sync engine (pid ${holder}) is using ${this.path}`);
      }
      await rm(file, { force: true });
    }
    throw new SyncError('SYNC_LOCKED', `could not take the lock ${file}`);
  }
}

async function readPid(file: string): Promise<number | undefined> {
  const n = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** tmp + fsync + rename, without the process-wide signal handlers of fs/atomic-file (the engine owns its shutdown). */
async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}
