import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import { call, makeHub, signup, testConfig } from '../../test/harness.js';
import type { TestHub } from '../../test/harness.js';
import { nodeWebhookSender } from '../node/webhook-sender.js';
import { WebhookTargetError, checkWebhookTarget, isPublicAddress } from './ssrf.js';

function reason(url: string, devMode: boolean): string | null {
  try {
    checkWebhookTarget(url, devMode);
    return null;
  } catch (err) {
    return err instanceof WebhookTargetError ? err.code : `unexpected ${String(err)}`;
  }
}

describe('SSRF guard', () => {
  it('classifies addresses: private, loopback, link-local, CGNAT, multicast, unique-local and embedded IPv4 are not public', () => {
    const blocked = [
      '127.0.0.1', '127.8.9.1', '10.0.0.1', '10.255.255.255', '172.16.0.1', '172.31.255.1', '192.168.1.1', '169.254.169.254',
      '100.64.0.1', '100.127.255.254', '0.0.0.0', '224.0.0.1', '239.1.2.3', '255.255.255.255', '198.18.0.1',
      '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.1.2.3', '64:ff9b::a00:1', '2002:a00:1::1', '2001:db8::1',
      'not-an-ip', '999.1.1.1',
    ];
    const allowed = ['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '169.253.1.1', '2606:4700::1111', '::ffff:8.8.8.8', '2a00:1450:4001::1'];
    for (const ip of blocked) expect(isPublicAddress(ip), ip).toBe(false);
    for (const ip of allowed) expect(isPublicAddress(ip), ip).toBe(true);
  });

  it('refuses non-https and non-public literal targets outside development mode', () => {
    expect(reason('http://example.com/hook', false)).toBe('NOT_HTTPS');
    expect(reason('ftp://example.com/hook', false)).toBe('NOT_HTTPS');
    expect(reason('https://127.0.0.1/hook', false)).toBe('PRIVATE_ADDRESS');
    expect(reason('https://10.1.2.3/hook', false)).toBe('PRIVATE_ADDRESS');
    expect(reason('https://169.254.169.254/latest/meta-data', false)).toBe('PRIVATE_ADDRESS');
    expect(reason('https://[::1]:8443/hook', false)).toBe('PRIVATE_ADDRESS');
    expect(reason('https://[::ffff:7f00:1]/hook', false)).toBe('PRIVATE_ADDRESS');
    expect(reason('https://localhost/hook', false)).toBe('PRIVATE_ADDRESS');
    expect(reason('https://api.localhost/hook', false)).toBe('PRIVATE_ADDRESS');
    expect(reason('https://user:pw@example.com/hook', false)).toBe('CREDENTIALS');
    expect(reason('https://hooks.example.com/dme', false)).toBeNull();
    expect(reason('https://93.184.216.34/dme', false)).toBeNull();
  });

  it('allows http and loopback in development mode', () => {
    expect(reason('http://127.0.0.1:9999/hook', true)).toBeNull();
    expect(reason('http://localhost:9999/hook', true)).toBeNull();
    expect(reason('ftp://127.0.0.1/hook', true)).toBe('NOT_HTTPS');
  });

  it('the Node sender checks DNS answers at connect time: a name resolving to loopback is refused before any connection', async () => {
    let connections = 0;
    const server: Server = createServer((_req, res) => res.end('should not be reached'));
    server.on('connection', () => connections++);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const port = (server.address() as { port: number }).port;
      const strict = nodeWebhookSender({ devMode: false });
      const r = await strict.send({ url: `https://localhost:${port}/hook`, headers: {}, body: '{}', timeoutMs: 2000 });
      expect(r.status).toBeNull();
      expect(r.error).toMatch(/refused: localhost resolves to non-public address/);
      expect(connections).toBe(0);
      // In development mode the same name connects (TLS then fails on the self-signed-less server, but a connection was made).
      const dev = await nodeWebhookSender({ devMode: true }).send({ url: `https://localhost:${port}/hook`, headers: {}, body: '{}', timeoutMs: 2000 });
      expect(dev.error).not.toMatch(/refused: localhost/);
      expect(connections).toBe(1);
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
  });
});

describe('PUT /v1/consumer/webhook', () => {
  let hub: TestHub;
  let token: string;
  let accountId: string;
  beforeEach(async () => {
    hub = makeHub();
    const s = await signup(hub);
    token = s.accessToken;
    accountId = s.account.id;
    expect((await call(hub, 'POST', '/v1/account/enable-feature', { token, body: { feature: 'DATA_CONSUMER' } })).status).toBe(200);
  });
  afterEach(() => hub.cleanup());

  it('needs a tier with webhooks: Starter gets 403 TIER_LIMIT', async () => {
    const r = await call(hub, 'PUT', '/v1/consumer/webhook', { token, body: { url: 'https://hooks.example.com/dme' } });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('TIER_LIMIT');
    expect((await call(hub, 'GET', '/v1/consumer/webhook/deliveries', { token })).body.error.code).toBe('TIER_LIMIT');
  });

  it('refuses private targets with 400 and a reason outside development mode; accepts a public https URL once, secret shown once', async () => {
    hub.store.db.prepare(`UPDATE accounts SET tier = 'ENTERPRISE' WHERE id = ?`).run(accountId);
    for (const [url, why] of [
      ['http://hooks.example.com/dme', 'NOT_HTTPS'],
      ['https://127.0.0.1/hook', 'PRIVATE_ADDRESS'],
      ['https://10.0.0.7/hook', 'PRIVATE_ADDRESS'],
      ['https://169.254.169.254/hook', 'PRIVATE_ADDRESS'],
      ['https://[::1]/hook', 'PRIVATE_ADDRESS'],
      ['https://localhost/hook', 'PRIVATE_ADDRESS'],
    ] as const) {
      const r = await call(hub, 'PUT', '/v1/consumer/webhook', { token, body: { url } });
      expect(r.status, url).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'url', reason: why } });
    }
    expect((await call(hub, 'GET', '/v1/consumer/webhook', { token })).status).toBe(404);
    const first = await call(hub, 'PUT', '/v1/consumer/webhook', { token, body: { url: 'https://hooks.example.com/dme' } });
    expect(first.status).toBe(200);
    expect(first.body.secret).toMatch(/^whsec_/);
    const again = await call(hub, 'PUT', '/v1/consumer/webhook', { token, body: { url: 'https://hooks.example.com/v2', enabled: false } });
    expect(again.body).toMatchObject({ secret: null, webhook: { url: 'https://hooks.example.com/v2', enabled: false } });
    const rotated = await call(hub, 'PUT', '/v1/consumer/webhook', { token, body: { url: 'https://hooks.example.com/v2', rotateSecret: true } });
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(first.body.secret);
    const shown = await call(hub, 'GET', '/v1/consumer/webhook', { token });
    expect(JSON.stringify(shown.body)).not.toContain('whsec_');
  });

  it('accepts a loopback http receiver in development mode', async () => {
    hub.store.db.prepare(`UPDATE accounts SET tier = 'PROFESSIONAL' WHERE id = ?`).run(accountId);
    hub.deps.config = { ...testConfig, devMode: true };
    const r = await call(hub, 'PUT', '/v1/consumer/webhook', { token, body: { url: 'http://127.0.0.1:9/hook' } });
    expect(r.status).toBe(200);
  });
});
