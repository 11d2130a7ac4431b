import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthSessionSchema, ErrorBodySchema } from '@dme/core/protocol';
import { startHub } from './hub.js';
import type { RunningHub } from './hub.js';
import { settingsFromEnv } from './settings.js';

let dir: string;
let running: RunningHub | undefined;

function env(extra: Record<string, string> = {}) {
  return { DME_HUB_PORT: '0', DME_HUB_DATA: join(dir, 'data'), DME_HUB_PASSWORD_ITERATIONS: '1000', ...extra };
}

async function post(url: string, body: unknown, token?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dme-hub-node-'));
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('the Node hub over real HTTP on 127.0.0.1', () => {
  it('serves the API, the error shape, OpenAPI and the offline explorer', async () => {
    running = await startHub(settingsFromEnv(env()), env());
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const s = await post(`${running.url}/v1/auth/signup`, { email: 'net@example.com', password: 'a long password', displayName: 'Net' });
    expect(s.status).toBe(201);
    const session = AuthSessionSchema.parse(await s.json());
    const me = await fetch(`${running.url}/v1/account/profile`, { headers: { authorization: `Bearer ${session.accessToken}` } });
    expect((await me.json()).email).toBe('net@example.com');

    const missing = await fetch(`${running.url}/v1/nope`);
    expect(missing.status).toBe(404);
    expect(ErrorBodySchema.parse(await missing.json()).error.code).toBe('NOT_FOUND');

    // The hub answers 413 before reading the whole body and may close the socket while we
    // still write; node:http surfaces the response anyway (fetch would report the reset).
    const big = await new Promise<{ status: number; body: string }>((res, rej) => {
      const req = request(`${running!.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (r) => {
        let body = '';
        r.on('data', (d: Buffer) => (body += d.toString()));
        r.on('end', () => res({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : rej(e)));
      req.end(JSON.stringify({ email: 'net@example.com', password: 'x'.repeat(2 * 1024 * 1024) }));
    });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body).error.code).toBe('PAYLOAD_TOO_LARGE');

    const doc = await (await fetch(`${running.url}/v1/openapi.json`)).json();
    expect(doc.servers[0].url).toBe(running.url);
    const page = await fetch(`${running.url}/docs`);
    expect(page.status).toBe(200);
    const bundle = await fetch(`${running.url}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });

  it('keeps data and secrets under DME_HUB_DATA: hub.db (WAL), blobs/, secrets.json 0600; survives a restart', async () => {
    running = await startHub(settingsFromEnv(env()), env());
    const data = join(dir, 'data');
    expect(statSync(join(data, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(data, 'blobs'))).toBe(true);
    expect(running.hub.store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const s = AuthSessionSchema.parse(await (await post(`${running.url}/v1/auth/signup`, { email: 'r@example.com', password: 'a long password', displayName: 'R' })).json());
    await running.close();

    running = await startHub(settingsFromEnv(env()), env());
    // Same secrets file, same database: the old access token is still good.
    const me = await fetch(`${running.url}/v1/account/profile`, { headers: { authorization: `Bearer ${s.accessToken}` } });
    expect(me.status).toBe(200);
  });

  it('creates the first admin from DME_HUB_ADMIN_EMAIL/PASSWORD once, and never a second', async () => {
    const first = env({ DME_HUB_ADMIN_EMAIL: 'Boss@example.com', DME_HUB_ADMIN_PASSWORD: 'boss password 1' });
    running = await startHub(settingsFromEnv(first), first);
    const login = await post(`${running.url}/v1/auth/login`, { email: 'boss@example.com', password: 'boss password 1' });
    expect(login.status).toBe(200);
    expect((await login.json()).account.features).toEqual(['ADMIN']);
    await running.close();

    const second = env({ DME_HUB_ADMIN_EMAIL: 'other@example.com', DME_HUB_ADMIN_PASSWORD: 'other password 1' });
    running = await startHub(settingsFromEnv(second), second);
    expect(await running.hub.store.accounts.countAdmins()).toBe(1);
    expect(await running.hub.store.accounts.getByEmail('other@example.com')).toBeNull();
  });

  it('refuses a port already in use without leaving the store open', async () => {
    running = await startHub(settingsFromEnv(env()), env());
    const port = new URL(running.url).port;
    await expect(startHub(settingsFromEnv(env({ DME_HUB_PORT: port, DME_HUB_DATA: join(dir, 'other') })), env())).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
