/**
 * The OS keychain path, against a real Secret Service: gnome-keyring-daemon
 * on a private D-Bus session (dbus-run-session), driven through the real CLI.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DME = resolve(import.meta.dirname, '../../bin/dme.js');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dme-keychain-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs shell `script` inside one D-Bus session with an unlocked keyring. */
function inKeyringSession(script: string, env: NodeJS.ProcessEnv) {
  const unlock = 'printf dme-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1';
  return spawnSync('dbus-run-session', ['--', 'sh', '-c', `${unlock}; ${script}`], {
    env: { PATH: process.env.PATH, HOME: dir, ...env },
    timeout: 60_000,
  });
}

describe('identity in the OS keychain', () => {
  it('keeps secrets out of DME_HOME and uses them to decrypt', () => {
    const home = join(dir, 'home');
    const plain = join(dir, 'plain.bin');
    writeFileSync(plain, randomBytes(100_000));
    const q = (s: string) => `'${s}'`;
    const node = q(process.execPath);
    const script = [
      `${node} ${q(DME)} identity create --storage keychain --json > ${q(join(dir, 'id.json'))}`,
      `${node} ${q(DME)} identity export -o ${q(join(dir, 'exported.txt'))}`,
      `R=$(${node} -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).ageRecipient)' ${q(join(dir, 'id.json'))})`,
      `age -r "$R" -o ${q(join(dir, 'c.age'))} ${q(plain)}`,
      `${node} ${q(DME)} decrypt -o ${q(join(dir, 'out.bin'))} ${q(join(dir, 'c.age'))}`,
    ].join(' && ');
    const r = inKeyringSession(script, { DME_HOME: home });
    expect(r.status, r.stderr.toString()).toBe(0);
    const identity = JSON.parse(readFileSync(join(dir, 'id.json'), 'utf8')) as { storage: string };
    expect(identity.storage).toBe('keychain');
    expect(existsSync(join(home, 'identity.key'))).toBe(false);
    expect(existsSync(join(home, 'signing.key'))).toBe(false);
    expect(readFileSync(join(dir, 'exported.txt'), 'utf8')).toMatch(/^AGE-SECRET-KEY-1/m);
    expect(readFileSync(join(dir, 'out.bin')).equals(readFileSync(plain))).toBe(true);
  });

  it('refuses --storage keychain where no Secret Service runs', () => {
    const r = spawnSync(process.execPath, [DME, 'identity', 'create', '--storage', 'keychain'], {
      env: { PATH: process.env.PATH, HOME: dir, DME_HOME: join(dir, 'nokeychain') },
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toMatch(/no OS keychain/);
    expect(existsSync(join(dir, 'nokeychain', 'identity.json'))).toBe(false);
  });
});
