/**
 * Issue 4's client side end to end: a real hub on 127.0.0.1 (in dev mode, so
 * it may deliver webhooks to a 127.0.0.1 receiver) and the real `dme` CLI as
 * separate processes. `dme events` lists a consumer's events and honours
 * --after; `dme events --follow` prints an event published while it runs;
 * `dme webhook set/show/test/deliveries` configure a webhook whose signed ping
 * reaches a local node:http receiver and verifies with node:crypto; a Starter
 * consumer is refused webhooks with a one-line error.
 *
 * hub-fixture.ts starts its hub with a fixed environment (no DME_HUB_DEV), so
 * this file starts its own, the same way, with DME_HUB_DEV=1.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface RunningHub {
  url: string;
  hub: { store: { db: { prepare(sql: string): { run(...args: unknown[]): unknown } } } };
  close(): Promise<void>;
}
const hubSrc = new URL('../../../../apps/hub/src/node/', import.meta.url);
const DME = resolve(import.meta.dirname, '../../bin/dme.js');
const PASSWORD = 'correct horse battery staple';

let dir: string;
let hub: RunningHub;
let receiver: { url: string; received: { headers: IncomingHttpHeaders; body: string }[]; server: Server };
const children: ChildProcessWithoutNullStreams[] = [];

function spawnDme(user: string, args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [DME, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir, DME_HOME: join(dir, `home-${user}`), DME_KEYCHAIN: 'off', DME_HUB_URL: hub.url },
  });
  children.push(child);
  return child;
}

/** Runs the CLI asynchronously (the hub lives in this process's event loop). */
function dme(user: string, args: string[], input = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawnDme(user, args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', fail);
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

async function ok(user: string, args: string[], input?: string): Promise<string> {
  const r = await dme(user, args, input);
  if (r.status !== 0) throw new Error(`dme ${args.join(' ')} (as ${user}) exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}
const json = <T>(text: string): T => JSON.parse(text) as T;
const jsonLines = <T>(text: string): T[] => text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);

async function newUser(user: string, role: 'producer' | 'consumer'): Promise<string> {
  await ok(user, ['signup', '--email', `${user}@example.test`, '--name', user, '--password-stdin'], `${PASSWORD}\n`);
  await ok(user, ['enable', role]);
  return json<{ account: { id: string } }>(await ok(user, ['whoami', '--json'])).account.id;
}

function csv(rows: number): string {
  const tag = randomBytes(4).toString('hex');
  const lines = ['id,name'];
  for (let i = 1; i <= rows; i++) lines.push(`${i},${tag}-${i}`);
  return `${lines.join('\n')}\n`;
}

async function publish(file: string): Promise<string> {
  writeFileSync(join(dir, file), csv(20));
  return json<{ releaseId: string }>(await ok('producer', ['publish', 'feed', file, '--json'])).releaseId;
}

/** Standard Webhooks v1, from the spec, with node:crypto only. */
function signatureValid(secret: string, h: IncomingHttpHeaders, body: string): boolean {
  const [id, ts, sigs] = [h['webhook-id'], h['webhook-timestamp'], h['webhook-signature']];
  if (typeof id !== 'string' || typeof ts !== 'string' || typeof sigs !== 'string') return false;
  const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64')).update(`${id}.${ts}.${body}`).digest();
  return sigs.split(' ').some((s) => {
    const [v, b64] = s.split(',');
    const got = Buffer.from(b64 ?? '', 'base64');
    return v === 'v1' && got.length === expected.length && timingSafeEqual(got, expected);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dme-e2e-events-'));
  const { startHub } = (await import(new URL('hub.ts', hubSrc).href)) as { startHub(s: unknown, env: Record<string, string>): Promise<RunningHub> };
  const { settingsFromEnv } = (await import(new URL('settings.ts', hubSrc).href)) as { settingsFromEnv(env: Record<string, string>): unknown };
  const env = { DME_HUB_HOST: '127.0.0.1', DME_HUB_PORT: '0', DME_HUB_DATA: join(dir, 'hub-data'), DME_HUB_PASSWORD_ITERATIONS: '1000', DME_HUB_DEV: '1' };
  hub = await startHub(settingsFromEnv(env), env);
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  receiver = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server };
}, 60_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (receiver) await new Promise<void>((done) => receiver.server.close(() => done()));
  await hub?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dme events and dme webhook against a real hub', () => {
  let firstRelease: string;
  let firstEventId: string;
  let secret: string;

  it('sets up a producer, a Professional consumer (approved) and a Starter consumer', async () => {
    await newUser('producer', 'producer');
    const carolId = await newUser('carol', 'consumer');
    await newUser('sam', 'consumer');
    hub.hub.store.db.prepare(`UPDATE accounts SET tier = 'PROFESSIONAL' WHERE id = ?`).run(carolId);
    expect(json<{ account: { tier: string } }>(await ok('carol', ['whoami', '--json'])).account.tier).toBe('PROFESSIONAL');
    writeFileSync(join(dir, 'sample.csv'), csv(5));
    await ok('producer', ['datasets', 'create', '--name', 'Feed', '--slug', 'feed', '--schema-from', 'sample.csv', '--interval', '1d', '--publish', '--json']);
    const sub = json<{ id: string }>(await ok('carol', ['subscribe', 'feed', '--json'])).id;
    await ok('producer', ['approve', sub, '--json']);
  }, 120_000);

  it('`dme events --json` lists a DATA_PUBLISHED after a publish; --after skips it', async () => {
    firstRelease = await publish('r1.csv');
    const all = jsonLines<{ id: string; type: string; data: { releaseId?: string } }>(await ok('carol', ['events', '--json']));
    const published = all.filter((e) => e.type === 'DATA_PUBLISHED');
    expect(published.map((e) => e.data.releaseId)).toEqual([firstRelease]);
    firstEventId = published[0]!.id;
    const after = jsonLines<{ id: string }>(await ok('carol', ['events', '--json', '--after', firstEventId]));
    expect(after.map((e) => e.id)).not.toContain(firstEventId);
    expect(after.every((e) => BigInt(e.id) > BigInt(firstEventId))).toBe(true);
    // Every event before it is skipped too.
    const before = all.filter((e) => BigInt(e.id) < BigInt(firstEventId)).map((e) => e.id);
    for (const id of before) expect(after.map((e) => e.id)).not.toContain(id);
    // And --after an earlier event (the approval) does include it.
    expect(before.length).toBeGreaterThan(0);
    const fromEarlier = jsonLines<{ id: string }>(await ok('carol', ['events', '--json', '--after', before.at(-1)!]));
    expect(fromEarlier.map((e) => e.id)).toEqual([firstEventId, ...after.map((e) => e.id)]);
    const bad = await dme('carol', ['events', '--after', 'abc']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--after must be an event id/);
  }, 120_000);

  it('`dme events --follow --json` prints a DATA_PUBLISHED published while it runs, and stops on SIGTERM', async () => {
    const child = spawnDme('carol', ['events', '--follow', '--json']);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
    const waitFor = async (pred: () => boolean, what: string): Promise<void> => {
      for (let i = 0; i < 300 && !pred(); i++) await new Promise((r) => setTimeout(r, 100));
      if (!pred()) throw new Error(`timed out waiting for ${what}; stdout: ${stdout}; stderr: ${stderr}`);
    };
    // The backlog arrives first: once the first release shows, the stream is open.
    await waitFor(() => stdout.includes(firstRelease), 'the backlog');
    const second = await publish('r2.csv');
    await waitFor(() => stdout.includes(second), 'the live DATA_PUBLISHED');
    const live = jsonLines<{ type: string; data: { releaseId?: string } }>(stdout.slice(0, stdout.lastIndexOf('\n') + 1)).find((e) => e.data.releaseId === second);
    expect(live?.type).toBe('DATA_PUBLISHED');
    child.kill('SIGTERM');
    const end = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000))]);
    expect(end).not.toBe('hung');
    expect(stderr).toBe('');
  }, 120_000);

  it('`dme webhook set` prints the secret once; `show` does not show it', async () => {
    const set = await ok('carol', ['webhook', 'set', receiver.url]);
    const m = /secret: (whsec_[A-Za-z0-9+/]+={0,2})/.exec(set);
    expect(m).not.toBeNull();
    secret = m![1]!;
    expect(set).toContain(receiver.url);
    const show = await ok('carol', ['webhook', 'show']);
    const showJson = await ok('carol', ['webhook', 'show', '--json']);
    expect(show).toContain(receiver.url);
    expect(json<{ url: string; enabled: boolean }>(showJson)).toMatchObject({ url: receiver.url, enabled: true });
    for (const out of [show, showJson]) {
      expect(out).not.toContain(secret);
      expect(out).not.toContain('whsec_');
    }
    // Setting the same URL again keeps the secret and does not print one.
    const again = await ok('carol', ['webhook', 'set', receiver.url, '--json']);
    expect(again).not.toContain('whsec_');
  }, 120_000);

  it('`dme webhook test` makes the receiver get a signed PING; `deliveries --json` lists the attempt', async () => {
    const before = receiver.received.length;
    const test = json<{ id: string; type: string; status: string; attempts: { ok: boolean; responseCode: number | null }[] }>(await ok('carol', ['webhook', 'test', '--json']));
    expect(test).toMatchObject({ type: 'PING' });
    expect(test.attempts[0]).toMatchObject({ ok: true, responseCode: 204 });
    const pings = receiver.received.slice(before).filter((r) => (JSON.parse(r.body) as { type: string }).type === 'PING');
    expect(pings.length).toBeGreaterThanOrEqual(1);
    const ping = pings[0]!;
    expect(signatureValid(secret, ping.headers, ping.body)).toBe(true);
    expect(signatureValid(secret, ping.headers, ping.body.replace('PING', 'PONG'))).toBe(false);
    expect(Math.abs(Number(ping.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(120);

    const list = json<{ items: { id: string; type: string; attempts: { ok: boolean }[] }[] }>(await ok('carol', ['webhook', 'deliveries', '--json']));
    const listed = list.items.find((d) => d.id === test.id);
    expect(listed).toMatchObject({ type: 'PING' });
    expect(listed!.attempts.length).toBeGreaterThanOrEqual(1);
    expect(listed!.attempts[0]!.ok).toBe(true);
  }, 120_000);

  it('a Starter consumer gets a clear one-line error and exit 1 from `dme webhook set`', async () => {
    const r = await dme('sam', ['webhook', 'set', receiver.url]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^dme webhook: .*STARTER tier has no webhooks/i);
    expect(r.stdout).not.toContain('whsec_');
  }, 60_000);
});
