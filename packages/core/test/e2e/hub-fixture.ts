/**
 * Cross-process fixture: a real hub (apps/hub's startHub: SQLite + local blob
 * store in a temp DME_HUB_DATA, HTTP on 127.0.0.1, port 0) and the real
 * compiled `dme` CLI spawned as separate processes, one DME_HOME per user,
 * keychain off. The hub runs in this process, so the CLI is spawned
 * asynchronously (a synchronous spawn would block the hub's event loop).
 *
 * The hub lives in another workspace whose sources the core test project does
 * not type-check; it is loaded at run time by path and typed by the small
 * interfaces below.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

interface RunningHub {
  url: string;
  hub: { store: { releases: { getGrant(releaseId: string, accountId: string): Promise<unknown> } } };
  close(): Promise<void>;
}
interface HubModule {
  startHub(settings: unknown, env: Record<string, string | undefined>): Promise<RunningHub>;
}
interface SettingsModule {
  settingsFromEnv(env: Record<string, string | undefined>, cwd?: string): unknown;
}

const hubSrc = new URL('../../../../apps/hub/src/node/', import.meta.url);
const DME = resolve(import.meta.dirname, '../../bin/dme.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface E2eHub {
  url: string;
  dataDir: string;
  dir: string;
  running: RunningHub;
  home(user: string): string;
  dme(user: string, args: string[], input?: string): Promise<CliResult>;
  /** Like dme, but fails the test with the CLI's stderr unless it exits 0. */
  ok(user: string, args: string[], input?: string): Promise<string>;
  token(user: string): string;
  /** An API call with a user's access token (or none). */
  call(user: string | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** signup + enable role: a ready user. */
  user(user: string, role: 'producer' | 'consumer'): Promise<void>;
  /** Stops the hub, keeping its data directory (to inspect it). */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export const PASSWORD = 'correct horse battery staple';

export async function startE2eHub(): Promise<E2eHub> {
  const dir = mkdtempSync(join(tmpdir(), 'dme-e2e-'));
  const dataDir = join(dir, 'hub-data');
  const { startHub } = (await import(new URL('hub.ts', hubSrc).href)) as HubModule;
  const { settingsFromEnv } = (await import(new URL('settings.ts', hubSrc).href)) as SettingsModule;
  const env = { DME_HUB_HOST: '127.0.0.1', DME_HUB_PORT: '0', DME_HUB_DATA: dataDir, DME_HUB_PASSWORD_ITERATIONS: '1000' };
  const running = await startHub(settingsFromEnv(env), env);
  const url = running.url;
  const home = (user: string): string => join(dir, `home-${user}`);
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => (stopped ??= running.close());

  const dme = (user: string, args: string[], input?: string): Promise<CliResult> =>
    new Promise((done, fail) => {
      const child = spawn(process.execPath, [DME, ...args], {
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: dir, DME_HOME: home(user), DME_KEYCHAIN: 'off', DME_HUB_URL: url },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
      child.on('error', fail);
      child.on('close', (status) => {
        clearTimeout(timer);
        done({ status, stdout, stderr });
      });
      child.stdin.end(input ?? '');
    });

  const ok = async (user: string, args: string[], input?: string): Promise<string> => {
    const r = await dme(user, args, input);
    if (r.status !== 0) throw new Error(`dme ${args.join(' ')} (as ${user}) exited ${r.status}: ${r.stderr}`);
    return r.stdout;
  };

  const token = (user: string): string => {
    const sessions = JSON.parse(readFileSync(join(home(user), 'session.json'), 'utf8')) as Record<string, { accessToken: string }>;
    return sessions[url]!.accessToken;
  };

  return {
    url,
    dataDir,
    dir,
    running,
    home,
    dme,
    ok,
    token,
    async call(user, method, path, body) {
      const headers: Record<string, string> = {};
      if (user) headers.authorization = `Bearer ${token(user)}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed };
    },
    async user(user, role) {
      await ok(user, ['signup', '--email', `${user}@example.test`, '--name', user, '--password-stdin'], `${PASSWORD}\n`);
      await ok(user, ['enable', role]);
    },
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
