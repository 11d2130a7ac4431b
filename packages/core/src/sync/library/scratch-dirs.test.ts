import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLibrary } from './library.js';
import { SCRATCH_DIR_PREFIX, makeScratchDir, processAlive, removeStaleScratchDirs } from './scratch-dirs.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dme-scratch-dirs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const pid = Number(r.stdout);
  expect(processAlive(pid)).toBe(false);
  return pid;
}

function scratchDir(name: string): string {
  const path = join(dir, name);
  mkdirSync(path);
  writeFileSync(join(path, 'r0-w0.db'), 'scratch');
  return path;
}

const left = (): string[] => readdirSync(dir).filter((n) => n.startsWith(SCRATCH_DIR_PREFIX)).sort();

describe('scratch directories of killed imports', () => {
  it('openLibrary removes those whose process is gone and keeps live ones', () => {
    const dead = `${SCRATCH_DIR_PREFIX}${deadPid()}-AbC123`;
    scratchDir(dead);
    const mine = makeScratchDir(dir).slice(dir.length + 1);
    expect(mine.startsWith(`${SCRATCH_DIR_PREFIX}${process.pid}-`)).toBe(true);
    // pid 1 is alive on every system (as another user's, EPERM, when not ours).
    scratchDir(`${SCRATCH_DIR_PREFIX}1-xyz789`);
    writeFileSync(join(dir, `${SCRATCH_DIR_PREFIX}notes.txt`), 'not a directory we made, but named like one: left alone');

    const lib = openLibrary(join(dir, 'library.db'));
    lib.close();
    expect(left()).toEqual([`${SCRATCH_DIR_PREFIX}1-xyz789`, mine, `${SCRATCH_DIR_PREFIX}notes.txt`].sort());
  });

  it('an old name without a pid is removed once it has been idle for an hour', () => {
    const fresh = scratchDir(`${SCRATCH_DIR_PREFIX}Qw3rty`);
    const old = scratchDir(`${SCRATCH_DIR_PREFIX}As4dfg`);
    const twoHoursAgo = (Date.now() - 2 * 3600_000) / 1000;
    utimesSync(old, twoHoursAgo, twoHoursAgo);
    expect(removeStaleScratchDirs(dir)).toEqual([`${SCRATCH_DIR_PREFIX}As4dfg`]);
    expect(left()).toEqual([fresh.slice(dir.length + 1)]);
  });

  it('a missing directory is not an error', () => {
    expect(removeStaleScratchDirs(join(dir, 'nope'))).toEqual([]);
  });
});
