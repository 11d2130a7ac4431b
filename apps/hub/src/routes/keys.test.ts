import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiKeyCreatedSchema, ApiKeyListSchema } from '@dme/core/protocol';
import type { ApiKeyScope } from '@dme/core/protocol';
import { checkScope } from '../auth/middleware.js';
import { call, makeHub, signup } from '../../test/harness.js';
import type { TestHub } from '../../test/harness.js';

let hub: TestHub;
beforeEach(() => {
  hub = makeHub();
});
afterEach(async () => {
  await hub.cleanup();
});

async function createKey(token: string, scopes: ApiKeyScope[], name = 'ci') {
  const res = await call(hub, 'POST', '/v1/auth/api-keys', { token, body: { name, scopes } });
  expect(res.status).toBe(201);
  return ApiKeyCreatedSchema.parse(res.body);
}

describe('API key lifecycle', () => {
  it('creates (shown once), lists without secrets, authenticates, and revokes', async () => {
    const s = await signup(hub);
    const k = await createKey(s.accessToken, ['consumer'], 'laptop');
    expect(k.key).toMatch(new RegExp(`^dme_${k.id}_[0-9a-f]{64}$`));

    const list = await call(hub, 'GET', '/v1/auth/api-keys', { token: s.accessToken });
    expect(list.status).toBe(200);
    const items = ApiKeyListSchema.parse(list.body).items;
    expect(items.map((i) => i.id)).toEqual([k.id]);
    expect(JSON.stringify(list.body)).not.toContain(k.key.slice(-64));

    const row = hub.store.db.prepare('SELECT secret_hash FROM api_keys WHERE id = ?').get(k.id) as { secret_hash: string };
    expect(row.secret_hash).not.toContain(k.key.slice(-64));

    const me = await call(hub, 'GET', '/v1/account/profile', { token: k.key });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(s.account.id);
    const listed = await call(hub, 'GET', '/v1/auth/api-keys', { token: s.accessToken });
    expect(listed.body.items[0].lastUsedAt).toBe(hub.clock.now().toISOString());

    expect((await call(hub, 'DELETE', `/v1/auth/api-keys/${k.id}`, { token: s.accessToken })).status).toBe(204);
    expect((await call(hub, 'GET', '/v1/account/profile', { token: k.key })).status).toBe(401);
    expect((await call(hub, 'GET', '/v1/auth/api-keys', { token: s.accessToken })).body.items).toEqual([]);
    expect((await call(hub, 'DELETE', `/v1/auth/api-keys/${k.id}`, { token: s.accessToken })).status).toBe(404);
  });

  it("cannot revoke another account's key, and a key with a wrong secret is refused", async () => {
    const a = await signup(hub);
    const b = await signup(hub);
    const k = await createKey(a.accessToken, ['producer']);
    const res = await call(hub, 'DELETE', `/v1/auth/api-keys/${k.id}`, { token: b.accessToken });
    expect(res.status).toBe(404);
    expect((await call(hub, 'GET', '/v1/account/profile', { token: k.key })).status).toBe(200);
    const forged = k.key.slice(0, -1) + (k.key.endsWith('0') ? '1' : '0');
    expect((await call(hub, 'GET', '/v1/account/profile', { token: forged })).status).toBe(401);
  });

  it('an API key cannot mint or revoke keys (needs a login session)', async () => {
    const s = await signup(hub);
    const k = await createKey(s.accessToken, ['producer', 'consumer']);
    const mint = await call(hub, 'POST', '/v1/auth/api-keys', { token: k.key, body: { name: 'x', scopes: ['producer'] } });
    expect(mint.status).toBe(403);
    expect((await call(hub, 'DELETE', `/v1/auth/api-keys/${k.id}`, { token: k.key })).status).toBe(403);
    expect((await call(hub, 'GET', '/v1/auth/api-keys', { token: k.key })).status).toBe(200);
    expect((await call(hub, 'GET', '/v1/auth/api-keys')).status).toBe(401);
    expect((await call(hub, 'POST', '/v1/auth/api-keys', { body: { name: 'x', scopes: ['producer'] } })).status).toBe(401);
  });

  it('an expired key is refused', async () => {
    const s = await signup(hub);
    const expiresAt = new Date(hub.clock.now().getTime() + 60_000).toISOString();
    const res = await call(hub, 'POST', '/v1/auth/api-keys', { token: s.accessToken, body: { name: 'short', scopes: ['consumer'], expiresAt } });
    expect(res.status).toBe(201);
    expect((await call(hub, 'GET', '/v1/account/profile', { token: res.body.key })).status).toBe(200);
    hub.clock.advance(61);
    const late = await call(hub, 'GET', '/v1/account/profile', { token: res.body.key });
    expect(late.status).toBe(401);
    expect(late.body.error.message).toContain('expired');
  });

  it('validates scopes', async () => {
    const s = await signup(hub);
    for (const scopes of [[], ['admin'], ['read-only', 'producer'], ['consumer', 'consumer']]) {
      const res = await call(hub, 'POST', '/v1/auth/api-keys', { token: s.accessToken, body: { name: 'x', scopes } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('scope enforcement', () => {
  it('read-only keys may only GET', async () => {
    const s = await signup(hub);
    const k = await createKey(s.accessToken, ['read-only']);
    expect((await call(hub, 'GET', '/v1/account/keys', { token: k.key })).status).toBe(200);
    const put = await call(hub, 'PUT', '/v1/account/profile', { token: k.key, body: { displayName: 'x' } });
    expect(put.status).toBe(403);
    expect(put.body.error.code).toBe('FORBIDDEN');
    const enable = await call(hub, 'POST', '/v1/account/enable-feature', { token: k.key, body: { feature: 'DATA_CONSUMER' } });
    expect(enable.status).toBe(403);
  });

  it('producer keys cannot reach consumer routes and vice versa, even on a dual-role account', async () => {
    const s = await signup(hub);
    for (const feature of ['DATA_PRODUCER', 'DATA_CONSUMER']) {
      expect((await call(hub, 'POST', '/v1/account/enable-feature', { token: s.accessToken, body: { feature } })).status).toBe(200);
    }
    const producer = await createKey(s.accessToken, ['producer']);
    const consumer = await createKey(s.accessToken, ['consumer']);
    const denied = await call(hub, 'GET', '/v1/consumer/subscriptions', { token: producer.key });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toContain('consumer scope');
    const denied2 = await call(hub, 'POST', '/v1/producer/datasets', { token: consumer.key, body: {} });
    expect(denied2.status).toBe(403);
    expect(denied2.body.error.message).toContain('producer scope');
    // Scope passes, so the request reaches routing (the route itself may not exist yet).
    expect((await call(hub, 'GET', '/v1/producer/__no_such_route', { token: producer.key })).status).toBe(404);
    expect((await call(hub, 'GET', '/v1/consumer/__no_such_route', { token: consumer.key })).status).toBe(404);
  });

  it('area guards require the account feature and authentication', async () => {
    const s = await signup(hub);
    const noFeature = await call(hub, 'GET', '/v1/producer/__no_such_route', { token: s.accessToken });
    expect(noFeature.status).toBe(403);
    expect(noFeature.body.error.details.feature).toBe('DATA_PRODUCER');
    expect((await call(hub, 'GET', '/v1/consumer/__no_such_route')).status).toBe(401);
    expect((await call(hub, 'GET', '/v1/admin/__no_such_route', { token: s.accessToken })).status).toBe(403);
  });

  it('checkScope covers method and area', () => {
    expect(() => checkScope(['read-only'], 'GET', '/v1/producer/datasets')).not.toThrow();
    expect(() => checkScope(['read-only'], 'DELETE', '/v1/account/profile')).toThrow(/read-only/);
    expect(() => checkScope(['consumer'], 'GET', '/v1/producer/datasets')).toThrow(/producer scope/);
    expect(() => checkScope(['producer'], 'POST', '/v1/consumer/subscribe')).toThrow(/consumer scope/);
    expect(() => checkScope(['producer', 'consumer'], 'POST', '/v1/consumer/subscribe')).not.toThrow();
    // A lookalike path outside the area is not mistaken for it.
    expect(() => checkScope(['consumer'], 'GET', '/v1/producers')).not.toThrow();
  });
});
