import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { request } from 'node:http';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDesktopEngine, type DesktopEngine } from '../engine/index.js';
import { startAgent, type RunningAgent } from './server.js';

let dir: string;
let engine: DesktopEngine;
let agent: RunningAgent;

/** Raw request so tests control the Host header, which fetch does not let us set. */
function raw(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: agent.port, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const call = (method: string, args: unknown, headers: Record<string, string> = { 'x-dme-token': agent.token }) =>
  fetch(`${agent.url}/api/call/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(args) });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dme-agent-'));
  const renderer = join(dir, 'renderer');
  await mkdir(renderer);
  await writeFile(join(renderer, 'index.html'), '<!doctype html><title>DME</title>');
  // Nothing listens on port 9: the engine starts signed out and never reaches a hub.
  engine = await createDesktopEngine({ home: join(dir, 'home'), env: { DME_KEYCHAIN: 'off', DME_HUB_URL: 'http://127.0.0.1:9' }, grantsEveryMs: 0, checkResults: true, log: () => undefined });
  agent = await startAgent({ engine, rendererDir: renderer, uploadLimitBytes: 1024 });
});

afterAll(async () => {
  await agent.close();
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

describe('agent security', () => {
  it('makes a 43-character base64url token', () => {
    expect(agent.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses API calls without the token or with a wrong one (401)', async () => {
    const none = await call('settings.get', {}, {});
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe('AUTH_FAILED');
    const wrong = await call('settings.get', {}, { 'x-dme-token': 'A'.repeat(43) });
    expect(wrong.status).toBe(401);
  });

  it('refuses a Host header that is not the loopback address and port (403)', async () => {
    const res = await raw('/api/call/settings.get', { method: 'POST', headers: { host: `evil.example:${agent.port}`, 'x-dme-token': agent.token } });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error.code).toBe('FORBIDDEN');
    const page = await raw('/', { headers: { host: 'attacker.test' } });
    expect(page.status).toBe(403);
    const ok = await raw('/api/call/app.info', { method: 'POST', headers: { host: `localhost:${agent.port}`, 'x-dme-token': agent.token } });
    expect(ok.status).toBe(200);
  });

  it('refuses a cross-site Origin even with the token', async () => {
    const res = await call('settings.get', {}, { 'x-dme-token': agent.token, origin: 'https://evil.example' });
    expect(res.status).toBe(403);
  });

  it('trades ?token= for an HttpOnly SameSite cookie that then authorises calls', async () => {
    const res = await raw(`/?token=${agent.token}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    const set = String(res.headers['set-cookie']);
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
    const cookie = set.split(';')[0]!;
    const viaCookie = await call('app.info', {}, { cookie });
    expect(viaCookie.status).toBe(200);
    expect((await viaCookie.json()).value.mode).toBe('browser');
    const bad = await raw('/?token=nope');
    expect(bad.status).toBe(401);
  });

  it('names the token cookie per port: two agents in one browser profile keep their own tokens', async () => {
    const home2 = join(dir, 'home2');
    const engine2 = await createDesktopEngine({ home: home2, env: { DME_KEYCHAIN: 'off', DME_HUB_URL: 'http://127.0.0.1:9' }, grantsEveryMs: 0, log: () => undefined });
    const agent2 = await startAgent({ engine: engine2, rendererDir: join(dir, 'renderer') });
    try {
      const cookieFrom = async (port: number, token: string) => {
        const res = await fetch(`http://127.0.0.1:${port}/?token=${token}`, { redirect: 'manual' });
        return String(res.headers.get('set-cookie')).split(';')[0]!;
      };
      const one = await cookieFrom(agent.port, agent.token);
      const two = await cookieFrom(agent2.port, agent2.token);
      expect(one.split('=')[0]).toBe(`dme_token_${agent.port}`);
      expect(two.split('=')[0]).toBe(`dme_token_${agent2.port}`);
      // A browser sends every 127.0.0.1 cookie to both ports, in either order.
      const jar = [`${one}; ${two}`, `${two}; ${one}`];
      for (const cookie of jar) {
        expect((await call('app.info', {}, { cookie })).status).toBe(200);
        const res = await fetch(`${agent2.url}/api/call/app.info`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{}' });
        expect(res.status).toBe(200);
      }
      // Each agent still refuses the other's token under its own cookie name.
      const swapped = `dme_token_${agent.port}=${agent2.token}`;
      expect((await call('app.info', {}, { cookie: swapped })).status).toBe(401);
    } finally {
      await agent2.close();
      await engine2.close();
    }
  });

  it('serves the renderer with a strict CSP', async () => {
    const res = await raw('/subscriptions');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>DME</title>');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const escape = await raw('/..%2f..%2fetc%2fpasswd');
    expect(escape.body).not.toContain('root:');
  });
});

describe('agent API', () => {
  it('answers an unknown method with 404 UNKNOWN_METHOD', async () => {
    const res = await call('system.shell', {});
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('UNKNOWN_METHOD');
  });

  it('answers invalid arguments with 400 BAD_REQUEST naming the field', async () => {
    const res = await call('data.page', { table: 'x', limit: 5000 });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.message).toContain('limit');
    const extra = await call('settings.get', { sneaky: 1 });
    expect(extra.status).toBe(400);
    const notJson = await fetch(`${agent.url}/api/call/settings.get`, { method: 'POST', headers: { 'x-dme-token': agent.token }, body: '{' });
    expect(notJson.status).toBe(400);
  });

  it('round-trips real calls into the engine: settings set then get, library tables', async () => {
    const set = await call('settings.set', { notifications: false, watchStableSeconds: 7 });
    expect(set.status).toBe(200);
    const got = await (await call('settings.get', {})).json();
    expect(got.ok).toBe(true);
    expect(got.value.notifications).toBe(false);
    expect(got.value.watchStableSeconds).toBe(7);
    expect(JSON.parse(await readFile(join(dir, 'home', 'desktop.json'), 'utf8')).watchStableSeconds).toBe(7);
    const tables = await (await call('data.tables', {})).json();
    expect(tables.value.tables).toEqual([]);
    expect(tables.value.libraryPath).toBe(join(dir, 'home', 'library.sqlite'));
  });

  it('answers a call that needs a session with NOT_SIGNED_IN, no stack trace', async () => {
    const body = await (await call('catalog.list', {})).json();
    expect(body).toEqual({ ok: false, error: { code: 'NOT_SIGNED_IN', message: 'Sign in first.' } });
  });

  it('pushes engine events over SSE', async () => {
    const ac = new AbortController();
    const res = await fetch(`${agent.url}/api/events`, { headers: { 'x-dme-token': agent.token }, signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain(': connected');
    const arrival = { datasetId: 'ds1', datasetName: 'Phones', releaseId: 'r1', rows: 3, producer: 'Acme', table: 'phones', importedAt: new Date().toISOString() };
    engine.emit({ type: 'imported', arrival });
    let text = '';
    for (let i = 0; i < 10 && !text.includes('\n\n'); i++) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('event: imported');
    const data = JSON.parse(text.split('\n').find((l) => l.startsWith('data: '))!.slice(6));
    expect(data).toEqual({ type: 'imported', arrival });
    ac.abort();
  });

  it('lets go of the engine for every event stream when it closes, so no event is written to an ended stream', async () => {
    let listening = 0;
    const counted: DesktopEngine = Object.create(engine, {
      on: {
        value: (l: Parameters<DesktopEngine['on']>[0]) => {
          listening++;
          const off = engine.on(l);
          return () => (listening--, off());
        },
      },
    }) as DesktopEngine;
    const other = await startAgent({ engine: counted, rendererDir: join(dir, 'renderer') });
    const res = await fetch(`${other.url}/api/events`, { headers: { 'x-dme-token': other.token } });
    await res.body!.getReader().read();
    expect(listening).toBe(1);
    // close() ends the streams at once; an event emitted before their sockets report 'close' must find no listener.
    const closing = other.close();
    expect(listening).toBe(0);
    await closing;
  });

  it('streams an upload to disk, enforces the size limit', async () => {
    const res = await fetch(`${agent.url}/api/upload?name=phones.csv`, { method: 'POST', headers: { 'x-dme-token': agent.token }, body: 'e164,carrier\n+15550001,Acme\n' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.value.size).toBe(28);
    expect(await readFile(engine.uploadPath(body.value.uploadId), 'utf8')).toContain('+15550001');
    const big = await fetch(`${agent.url}/api/upload?name=big.csv`, { method: 'POST', headers: { 'x-dme-token': agent.token }, body: Buffer.alloc(4096) });
    expect(big.status).toBe(413);
    const noName = await fetch(`${agent.url}/api/upload?name=../x`, { method: 'POST', headers: { 'x-dme-token': agent.token }, body: 'x' });
    expect(noName.status).toBe(400);
  });
});
