/**
 * HubSession against a real HTTP server on 127.0.0.1 that plays the hub's
 * auth rules: an expired access token gets 401, /v1/auth/refresh rotates the
 * pair once (a reused refresh token is refused), and a second server stands
 * for a blob store that must never see the bearer.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientError } from './errors.js';
import { clientConfig, HubSession, openTokenStore, type StoredTokens } from './session.js';

const dir = mkdtempSync(join(tmpdir(), 'dme-session-'));
const seen: { url: string; auth: string | undefined }[] = [];
let live = { access: 'access-1', refresh: 'refresh-1' };
let hub: Server;
let blob: Server;
let hubUrl: string;
let blobUrl: string;

const account = { id: 'acc_1', email: 'a@example.test', displayName: 'a', features: [], tier: 'STARTER', status: 'ACTIVE', mfaEnabled: false, createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z' };

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const c of req) text += (c as Buffer).toString();
  return text;
}

function listen(server: Server): Promise<string> {
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  let n = 1;
  hub = createServer(async (req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization });
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/auth/refresh') {
      const { refreshToken } = JSON.parse(await body(req)) as { refreshToken: string };
      if (refreshToken !== live.refresh) return res.writeHead(401).end(JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'reused' } }));
      n += 1;
      live = { access: `access-${n}`, refresh: `refresh-${n}` };
      const exp = new Date(Date.now() + 900_000).toISOString();
      return res.end(JSON.stringify({ tokenType: 'Bearer', accessToken: live.access, accessTokenExpiresAt: exp, refreshToken: live.refresh, refreshTokenExpiresAt: exp, account }));
    }
    if (req.headers.authorization !== `Bearer ${live.access}` && req.headers.authorization !== 'Bearer dme_key') {
      return res.writeHead(401).end(JSON.stringify({ error: { code: 'TOKEN_EXPIRED', message: 'expired' } }));
    }
    res.end(JSON.stringify({ ok: true }));
  });
  blob = createServer((req, res) => {
    seen.push({ url: `blob:${req.url}`, auth: req.headers.authorization });
    res.end('bytes');
  });
  hubUrl = await listen(hub);
  blobUrl = await listen(blob);
});
afterAll(() => {
  hub.close();
  blob.close();
  rmSync(dir, { recursive: true, force: true });
});

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { DME_HOME: join(dir, 'home'), DME_KEYCHAIN: 'off', DME_HUB_URL: hubUrl, ...extra };
}

async function storeTokens(tokens: Partial<StoredTokens>): Promise<void> {
  const store = await openTokenStore(clientConfig(env()));
  const later = new Date(Date.now() + 900_000).toISOString();
  await store.save({ accountId: 'acc_1', email: 'a@example.test', accessToken: 'stale', accessTokenExpiresAt: later, refreshToken: live.refresh, refreshTokenExpiresAt: later, ...tokens });
}

describe('HubSession', () => {
  it('refreshes on 401, retries once, and stores the rotated pair in a 0600 file', async () => {
    await storeTokens({});
    const session = await HubSession.open(clientConfig(env()));
    const res = await session.fetch(`${hubUrl}/v1/account/profile`);
    expect(res.status).toBe(200);
    const saved = JSON.parse(readFileSync(join(dir, 'home', 'session.json'), 'utf8')) as Record<string, StoredTokens>;
    expect(saved[hubUrl]).toMatchObject({ accessToken: live.access, refreshToken: live.refresh });
    expect(statSync(join(dir, 'home', 'session.json')).mode & 0o777).toBe(0o600);
    expect(seen.slice(-3).map((s) => `${s.url} ${s.auth ?? '-'}`)).toEqual([
      '/v1/account/profile Bearer stale',
      '/v1/auth/refresh -',
      `/v1/account/profile Bearer ${live.access}`,
    ]);
  });

  it('refreshes before sending when the stored access token has expired', async () => {
    await storeTokens({ accessTokenExpiresAt: new Date(Date.now() - 1000).toISOString() });
    const session = await HubSession.open(clientConfig(env()));
    expect((await session.fetch(`${hubUrl}/v1/x`)).status).toBe(200);
    expect(seen.slice(-2).map((s) => s.url)).toEqual(['/v1/auth/refresh', '/v1/x']);
  });

  it('never sends the bearer to another origin (signed blob URLs)', async () => {
    const session = await HubSession.open(clientConfig(env()));
    expect(await (await session.fetch(`${blobUrl}/v1/blob/k?sig=1`)).text()).toBe('bytes');
    expect(seen.at(-1)).toEqual({ url: 'blob:/v1/blob/k?sig=1', auth: undefined });
  });

  it('a refused refresh ends the session: tokens forgotten, NOT_LOGGED_IN', async () => {
    await storeTokens({ refreshToken: 'refresh-old' });
    const session = await HubSession.open(clientConfig(env()));
    await expect(session.fetch(`${hubUrl}/v1/y`)).rejects.toMatchObject({ code: 'NOT_LOGGED_IN' });
    expect(session.loggedIn).toBe(false);
    const saved = JSON.parse(readFileSync(join(dir, 'home', 'session.json'), 'utf8')) as Record<string, unknown>;
    expect(saved[hubUrl]).toBeUndefined();
    // Later requests say so too, instead of going to the hub without a bearer.
    const sent = seen.length;
    await expect(session.fetch(`${hubUrl}/v1/y`)).rejects.toMatchObject({ code: 'NOT_LOGGED_IN', message: expect.stringContaining('has ended') });
    expect(seen.length).toBe(sent);
    // Signed blob URLs are not the hub's: they still go out.
    expect((await session.fetch(`${blobUrl}/v1/blob/k?sig=2`)).status).toBe(200);
    // Signed out on purpose, requests go out without a bearer, as before any login.
    await session.forget();
    await expect(session.fetch(`${hubUrl}/v1/y`)).resolves.toHaveProperty('status', 401);
    expect(seen.at(-1)).toEqual({ url: '/v1/y', auth: undefined });
  });

  it('requests racing a refused refresh all end with NOT_LOGGED_IN, none goes out without the bearer', async () => {
    await storeTokens({ refreshToken: 'refresh-old', accessTokenExpiresAt: new Date(Date.now() - 1000).toISOString() });
    const session = await HubSession.open(clientConfig(env()));
    const sent = seen.length;
    const results = await Promise.allSettled([session.fetch(`${hubUrl}/v1/a`), session.fetch(`${hubUrl}/v1/b`)]);
    const late = await session.fetch(`${hubUrl}/v1/c`).catch((e: unknown) => e);
    expect([...results.map((r) => (r.status === 'rejected' ? r.reason : r.value)), late]).toEqual([expect.objectContaining({ code: 'NOT_LOGGED_IN' }), expect.objectContaining({ code: 'NOT_LOGGED_IN' }), expect.objectContaining({ code: 'NOT_LOGGED_IN' })]);
    expect(seen.slice(sent).map((s) => `${s.url} ${s.auth ?? '-'}`)).toEqual(['/v1/auth/refresh -']);
  });

  it('DME_API_KEY is the bearer, with no login and no refresh', async () => {
    const session = await HubSession.open(clientConfig(env({ DME_API_KEY: 'dme_key' })));
    expect(session.via).toBe('api-key');
    expect((await session.fetch(`${hubUrl}/v1/z`)).status).toBe(200);
    expect(seen.at(-1)).toEqual({ url: '/v1/z', auth: 'Bearer dme_key' });
  });

  it('rejects a DME_HUB_URL that is not an http(s) URL', () => {
    expect(() => clientConfig({ DME_HUB_URL: 'ftp://x' })).toThrow(ClientError);
    expect(() => clientConfig({ DME_HUB_URL: 'not a url' })).toThrow(/not a URL/);
  });
});
