/**
 * The real `dme` process against real files and the real `age` command.
 * Run after `npm run build` (the vitest global setup builds first).
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileProfileSchema } from '../protocol/profile.js';

const DME = resolve(import.meta.dirname, '../../bin/dme.js');
let dir: string;
let home: string;

function dme(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: Buffer | string } = {}): SpawnSyncReturns<Buffer> {
  return spawnSync(process.execPath, [DME, ...args], {
    env: { PATH: process.env.PATH, HOME: dir, DME_HOME: home, DME_KEYCHAIN: 'off', ...opts.env },
    input: opts.input,
    timeout: 60_000,
  });
}

function age(args: string[]): SpawnSyncReturns<Buffer> {
  return spawnSync('age', args, { timeout: 60_000 });
}

const stderrOf = (r: SpawnSyncReturns<Buffer>) => r.stderr.toString();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dme-cli-'));
  home = join(dir, 'home');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dme identity', () => {
  it('creates keys in 0600 files under a 0700 DME_HOME when no keychain exists, with a warning', () => {
    const r = dme(['identity', 'create', '--json']);
    expect(r.status, stderrOf(r)).toBe(0);
    expect(stderrOf(r)).toMatch(/warning: no OS keychain/);
    const out = JSON.parse(r.stdout.toString()) as { ageRecipient: string; signingPublicKey: string; storage: string };
    expect(out.ageRecipient).toMatch(/^age1[02-9ac-hj-np-z]{58}$/);
    expect(out.storage).toBe('file');
    expect(statSync(home).mode & 0o777).toBe(0o700);
    for (const f of ['identity.key', 'signing.key']) expect(statSync(join(home, f)).mode & 0o777).toBe(0o600);
    const publicFile = readFileSync(join(home, 'identity.json'), 'utf8');
    expect(publicFile).not.toMatch(/SECRET/);
    expect(publicFile).toContain(out.ageRecipient);
  });

  it('refuses to replace an existing identity without --force', () => {
    const r = dme(['identity', 'create']);
    expect(r.status).toBe(1);
    expect(stderrOf(r)).toMatch(/already exists/);
    expect(stderrOf(r).trim().split('\n')).toHaveLength(1);
  });

  it('shows fingerprints and exports a key file that age itself can use', () => {
    const show = dme(['identity', 'show']);
    expect(show.status).toBe(0);
    expect(show.stdout.toString()).toMatch(/fingerprint/);
    const keyFile = join(dir, 'exported.txt');
    const exp = dme(['identity', 'export', '-o', keyFile]);
    expect(exp.status, stderrOf(exp)).toBe(0);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const recipient = (JSON.parse(dme(['identity', 'show', '--json']).stdout.toString()) as { ageRecipient: string }).ageRecipient;
    const plain = join(dir, 'p.bin');
    writeFileSync(plain, randomBytes(200_000));
    expect(dme(['encrypt', '-r', recipient, '-o', join(dir, 'p.age'), plain]).status).toBe(0);
    const dec = age(['-d', '-i', keyFile, '-o', join(dir, 'p.out'), join(dir, 'p.age')]);
    expect(dec.status, dec.stderr.toString()).toBe(0);
    expect(readFileSync(join(dir, 'p.out')).equals(readFileSync(plain))).toBe(true);
  });
});

describe('dme encrypt / decrypt', () => {
  let plain: string;
  let keyFile: string;
  let recipient: string;
  beforeAll(() => {
    plain = join(dir, 'data.csv');
    writeFileSync(plain, randomBytes(300_000));
    keyFile = join(dir, 'age-key.txt');
    expect(spawnSync('age-keygen', ['-o', keyFile]).status).toBe(0);
    recipient = /public key: (age1\S+)/.exec(readFileSync(keyFile, 'utf8'))![1]!;
  });

  it('decrypts what age encrypted, to multiple recipients, with -i and stdin', () => {
    const enc = join(dir, 'from-age.age');
    const mine = JSON.parse(dme(['identity', 'show', '--json']).stdout.toString()) as { ageRecipient: string };
    expect(age(['-r', recipient, '-r', mine.ageRecipient, '-o', enc, plain]).status).toBe(0);
    const viaFile = dme(['decrypt', '-i', keyFile, '-o', join(dir, 'a.out'), enc]);
    expect(viaFile.status, stderrOf(viaFile)).toBe(0);
    expect(readFileSync(join(dir, 'a.out')).equals(readFileSync(plain))).toBe(true);
    // No -i: the stored DME identity; input on stdin, output on stdout.
    const viaStdin = dme(['decrypt', '-'], { input: readFileSync(enc) });
    expect(viaStdin.status, stderrOf(viaStdin)).toBe(0);
    expect(viaStdin.stdout.equals(readFileSync(plain))).toBe(true);
  });

  it('writes armored output that age decrypts', () => {
    const r = dme(['encrypt', '-a', '-r', recipient, plain]);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
    const armored = join(dir, 'armored.age');
    writeFileSync(armored, r.stdout);
    const dec = age(['-d', '-i', keyFile, armored]);
    expect(dec.status).toBe(0);
    expect(dec.stdout.equals(readFileSync(plain))).toBe(true);
  });

  const bad: Array<[string, (good: Buffer) => Buffer, RegExp]> = [
    ['a corrupt payload byte', (g) => Buffer.concat([g.subarray(0, g.length - 100), Buffer.from([g[g.length - 100]! ^ 1]), g.subarray(g.length - 99)]), /./],
    ['a truncated file', (g) => g.subarray(0, g.length - 70_000), /./],
    ['a corrupt header', (g) => Buffer.from(g.toString('latin1').replace('age-encryption.org/v1', 'age-encryption.org/v2'), 'latin1'), /./],
  ];
  for (const [what, mangle, message] of bad) {
    it(`fails on ${what} with exit 1, one line, and nothing at the output path`, () => {
      const good = join(dir, 'good.age');
      expect(age(['-r', recipient, '-o', good, plain]).status).toBe(0);
      const broken = join(dir, 'broken.age');
      writeFileSync(broken, mangle(readFileSync(good)));
      const out = join(dir, 'should-not-exist.out');
      const r = dme(['decrypt', '-i', keyFile, '-o', out, broken]);
      expect(r.status).toBe(1);
      expect(stderrOf(r)).toMatch(message);
      expect(stderrOf(r).trim().split('\n')).toHaveLength(1);
      expect(stderrOf(r)).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('handles files above the worker threshold (positional, all cores) like small ones', () => {
    const work = mkdtempSync(join(dir, 'large-'));
    const big = join(work, 'big.bin');
    writeFileSync(big, randomBytes(20 * 1024 * 1024 + 12_345));
    const enc = join(work, 'big.age');
    const r = dme(['encrypt', '-r', recipient, '-o', enc, big]);
    expect(r.status, stderrOf(r)).toBe(0);
    const viaAge = spawnSync('age', ['-d', '-i', keyFile, '-o', join(work, 'age.out'), enc]);
    expect(viaAge.status, viaAge.stderr.toString()).toBe(0);
    expect(readFileSync(join(work, 'age.out')).equals(readFileSync(big))).toBe(true);
    const dec = dme(['decrypt', '-i', keyFile, '-o', join(work, 'dme.out'), enc]);
    expect(dec.status, stderrOf(dec)).toBe(0);
    expect(readFileSync(join(work, 'dme.out')).equals(readFileSync(big))).toBe(true);
    const broken = readFileSync(enc);
    broken[broken.length >> 1] ^= 1;
    writeFileSync(enc, broken);
    const bad = dme(['decrypt', '-i', keyFile, '-o', join(work, 'broken.out'), enc]);
    expect(bad.status).toBe(1);
    expect(stderrOf(bad)).toMatch(/^dme decrypt: .*chunk \d+ failed authentication/);
    expect(readdirSync(work).sort()).toEqual(['age.out', 'big.age', 'big.bin', 'dme.out']);
    rmSync(work, { recursive: true });
  });

  it('leaves no temporary file when interrupted mid-write', async () => {
    const enc = join(dir, 'interrupted.age');
    expect(age(['-r', recipient, '-o', enc, plain]).status).toBe(0);
    const outDir = mkdtempSync(join(dir, 'interrupt-'));
    const child = spawn(process.execPath, [DME, 'decrypt', '-i', keyFile, '-o', join(outDir, 'out.bin'), '-'], {
      env: { PATH: process.env.PATH, HOME: dir, DME_HOME: home, DME_KEYCHAIN: 'off' },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    // Half the file, then silence: the command waits mid-write with its temporary file open.
    const bytes = readFileSync(enc);
    child.stdin.write(bytes.subarray(0, bytes.length >> 1));
    for (let i = 0; i < 100 && readdirSync(outDir).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(outDir).length).toBe(1);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(readdirSync(outDir)).toEqual([]);
  });

  it('fails with the wrong key and leaves an existing output file untouched', () => {
    const enc = join(dir, 'other.age');
    expect(age(['-r', recipient, '-o', enc, plain]).status).toBe(0);
    const out = join(dir, 'precious.txt');
    writeFileSync(out, 'keep me');
    const r = dme(['decrypt', '-o', out, enc]);
    expect(r.status).toBe(1);
    expect(stderrOf(r)).toMatch(/^dme decrypt: .*(identity|match|recipient)/i);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
  });
});

describe('usage errors exit 2', () => {
  const cases: Array<[string, string[]]> = [
    ['no command', []],
    ['an unknown command', ['frobnicate']],
    ['encrypt without a recipient', ['encrypt', 'x']],
    ['a malformed recipient', ['encrypt', '-r', 'age1notakey', 'x']],
    ['an unknown option', ['decrypt', '--nope', 'x']],
    ['two input files', ['decrypt', 'a', 'b']],
    ['a bad --storage', ['identity', 'create', '--storage', 'cloud']],
    ['a bad --format', ['profile', '--format', 'xml', 'x']],
  ];
  for (const [what, args] of cases) {
    it(what, () => {
      const r = dme(args);
      expect(r.status).toBe(2);
      expect(stderrOf(r).trim()).not.toBe('');
    });
  }

  it('prints help for every command', () => {
    for (const c of ['identity', 'encrypt', 'decrypt', 'profile']) {
      const r = dme(['help', c]);
      expect(r.status).toBe(0);
      expect(r.stdout.toString()).toMatch(/usage:/);
      expect(dme([c, '--help']).stdout.toString()).toBe(r.stdout.toString());
    }
  });
});

describe('dme profile', () => {
  it('prints a table and valid JSON', () => {
    const csv = join(dir, 'phones.csv');
    writeFileSync(csv, 'e164,carrier,count\n+14155550100,Verizon,3\n+14155550101,AT&T,\n+14155550102,Verizon,7\n');
    const table = dme(['profile', csv]);
    expect(table.status, stderrOf(table)).toBe(0);
    expect(table.stdout.toString()).toMatch(/e164/);
    const json = dme(['profile', '--json', '--key', 'e164', csv]);
    const profile = FileProfileSchema.parse(JSON.parse(json.stdout.toString()));
    expect(profile.recordCount).toBe(3);
    expect(profile.columns.map((c) => [c.name, c.type])).toEqual([
      ['e164', 'phone_e164'],
      ['carrier', 'text'],
      ['count', 'integer'],
    ]);
    expect(profile.columns[2]!.nullCount).toBe(1);
  });

  it('names the line of malformed input and exits 1', () => {
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, 'a,b\n1,2\n3\n');
    const r = dme(['profile', csv]);
    expect(r.status).toBe(1);
    expect(stderrOf(r)).toMatch(/line 3/);
  });

  it('reports a missing file in one line', () => {
    const r = dme(['profile', join(dir, 'missing.csv')]);
    expect(r.status).toBe(1);
    expect(stderrOf(r)).toMatch(/missing\.csv/);
  });
});
