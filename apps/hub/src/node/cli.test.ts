import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../auth/secrets.js';
import { openSqliteStore } from '../store/sqlite/index.js';

const hubDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const repo = resolve(hubDir, '../..');
const bin = join(hubDir, 'bin/dme-hub.js');
let dir: string;

beforeAll(() => {
  // The binary runs compiled code: build the hub's Node project (incremental, ~1 s).
  spawnSync(process.execPath, [join(repo, 'node_modules/typescript-native/bin/tsc'), '-b', join(hubDir, 'tsconfig.node.json')], { stdio: 'ignore' });
  if (!existsSync(join(hubDir, 'dist/node/cli.js'))) throw new Error('apps/hub/dist/node/cli.js missing: run npm run build');
  dir = mkdtempSync(join(tmpdir(), 'dme-hub-cli-'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], input?: string, extraEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', DME_HUB_DATA: join(dir, 'data'), DME_HUB_PASSWORD_ITERATIONS: '1000', ...extraEnv },
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('dme-hub as a real process', () => {
  it('admin create --password-stdin creates an ADMIN whose password verifies', async () => {
    const r = run(['admin', 'create', '--email', 'Root@Example.com', '--password-stdin'], 'root password 123\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('created admin root@example.com');
    const store = openSqliteStore(join(dir, 'data', 'hub.db'));
    try {
      const acc = (await store.accounts.getByEmail('root@example.com'))!;
      expect(acc.features).toEqual(['ADMIN']);
      expect(await verifyPassword('root password 123', acc.passwordHash)).toBe(true);
      expect(await verifyPassword('root password 123\n', acc.passwordHash)).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('without --password-stdin prints a generated password once', () => {
    const r = run(['admin', 'create', '--email', 'gen@example.com']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/password: [A-Za-z0-9_-]{24}\n/);
  });

  it('fails with one-line errors and exit codes 1 (runtime) and 2 (usage/config)', () => {
    const dup = run(['admin', 'create', '--email', 'root@example.com', '--password-stdin'], 'another password\n');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toBe('dme-hub: an account with email root@example.com already exists\n');
    const noEmail = run(['admin', 'create']);
    expect(noEmail.code).toBe(2);
    expect(noEmail.stderr.split('\n')[0]).toBe('dme-hub: --email is required');
    const weak = run(['admin', 'create', '--email', 'w@example.com', '--password-stdin'], 'short\n');
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/^dme-hub: password must be at least 10 characters\n$/);
    const badEnv = run([], undefined, { DME_HUB_PORT: 'eighty' });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).not.toMatch(/\n\s+at /);
    expect(run(['frobnicate']).code).toBe(2);
  });

  it('serve listens, prints where, answers over HTTP, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'serve'], {
      env: { PATH: process.env.PATH ?? '', DME_HUB_DATA: join(dir, 'data'), DME_HUB_PORT: '0', DME_HUB_PASSWORD_ITERATIONS: '1000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const url = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`no listen line: ${out}`)), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          res(m[1]!);
        }
      });
    });
    expect(out).toContain(`data: ${join(dir, 'data')}`);
    const login = await fetch(`${url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'root@example.com', password: 'root password 123' }),
    });
    expect(login.status).toBe(200);
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
