import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SyncError } from './errors.js';
import { jsonLogger } from './log.js';
import { StateDir } from './state-dir.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dme-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('StateDir', () => {
  it('keeps the cursor across instances, replacing it without leaving temp files', async () => {
    const a = new StateDir(dir);
    await a.prepare();
    expect(await a.cursorStore().load()).toBeUndefined();
    await a.cursorStore().save('41');
    await a.cursorStore().save('42');
    expect(await new StateDir(dir).cursorStore().load()).toBe('42');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('ignores a cursor file that is not an event id', async () => {
    writeFileSync(join(dir, 'cursor'), 'garbage\n');
    expect(await new StateDir(dir).cursorStore().load()).toBeUndefined();
  });

  it('refuses a second holder in this process or a live other one, takes over a dead one', async () => {
    const s = new StateDir(dir);
    await s.prepare();
    const unlock = await s.lock();
    await expect(new StateDir(dir).lock()).rejects.toMatchObject({ code: 'SYNC_LOCKED' });
    await unlock();
    expect(readdirSync(dir)).not.toContain('lock');
    // A live process (our parent) holds it.
    writeFileSync(join(dir, 'lock'), `${process.ppid}\n`);
    await expect(new StateDir(dir).lock()).rejects.toMatchObject({ code: 'SYNC_LOCKED' });
    // A process that has exited (SIGKILLed engine) leaves a stale lock.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(dir, 'lock'), `${dead}\n`);
    const again = await new StateDir(dir).lock();
    expect(readFileSync(join(dir, 'lock'), 'utf8').trim()).toBe(String(process.pid));
    await again();
    expect(readdirSync(dir)).not.toContain('lock');
  });

  it('names payload files by release id and refuses ids that are not plain', async () => {
    const s = new StateDir(dir);
    await s.prepare();
    writeFileSync(s.payloadPath('rel_1'), 'x');
    expect(await s.leftoverPayloads()).toEqual(['rel_1']);
    await s.removePayload('rel_1');
    expect(await s.leftoverPayloads()).toEqual([]);
    expect(() => s.payloadPath('../x')).toThrow(SyncError);
  });
});

describe('jsonLogger', () => {
  it('writes one JSON object per line with time, level, msg and fields, above the level, URLs without their query', () => {
    const out = new PassThrough();
    const log = jsonLogger(out, { level: 'info', now: () => new Date('2025-01-02T03:04:05Z') });
    log.debug('hidden');
    log.info('download started', { releaseId: 'r1', total: 10, url: 'http://h/blob/k?sig=SECRET&exp=1' });
    log.error('failed', { code: 'VERIFY_FAILED' });
    const lines = String(out.read()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { time: '2025-01-02T03:04:05.000Z', level: 'info', msg: 'download started', releaseId: 'r1', total: 10, url: 'http://h/blob/k?…' },
      { time: '2025-01-02T03:04:05.000Z', level: 'error', msg: 'failed', code: 'VERIFY_FAILED' },
    ]);
  });
});
