import { describe, expect, it } from 'vitest';
import { call } from '../../test/harness.js';
import { createDataset, makeExchangeHub, publish, rewrap } from '../../test/exchange-fixture.js';
import type { ExchangeHub, Party } from '../../test/exchange-fixture.js';

/**
 * Every route of the API × every role, with the exact status expected. Each
 * row runs on a fresh hub holding: a PUBLISHED dataset of `producer` with one
 * published release, and `consumer`'s ACTIVE subscription to it (history
 * grant written). `otherConsumer` has no subscription, `otherProducer` owns
 * nothing of this, `admin` has only the ADMIN flag. Roles that should be
 * refused run first, so a successful mutation cannot mask a refusal.
 *
 * The table must cover every route in the OpenAPI document: a new route
 * without rows fails this test.
 */
const ROLES = ['anonymous', 'consumer', 'otherConsumer', 'producer', 'otherProducer', 'admin'] as const;
type Role = (typeof ROLES)[number];
type Expect = Record<Role, number>;

interface Ctx {
  hub: ExchangeHub;
  producer: Party;
  consumer: Party;
  ds: string;
  rel: string;
  sub: string;
  role: Role;
  party?: Party;
  n: number;
}

interface Row {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  url?: (c: Ctx) => string;
  body?: (c: Ctx) => unknown;
  /** A streaming response (SSE): only its status and, on errors, its body are read. */
  stream?: boolean;
  expect: Expect;
}

const all = (s: number): Expect => ({ anonymous: s, consumer: s, otherConsumer: s, producer: s, otherProducer: s, admin: s });
const authed = (s: number): Expect => ({ ...all(s), anonymous: 401 });
const producerArea = (owner: number, other: number): Expect => ({ anonymous: 401, consumer: 403, otherConsumer: 403, admin: 403, producer: owner, otherProducer: other });
const consumerArea = (owner: number, other: number): Expect => ({ anonymous: 401, producer: 403, otherProducer: 403, admin: 403, consumer: owner, otherConsumer: other });
const adminOnly = (s: number): Expect => ({ ...authed(403), admin: s });

const decision = (c: Ctx) => ({ subscriptionId: c.sub });

const ROWS: Row[] = [
  { method: 'POST', path: '/v1/auth/signup', body: (c) => ({ email: `new-${c.role}-${c.n}@example.com`, password: 'correct horse battery', displayName: 'New' }), expect: all(201) },
  { method: 'POST', path: '/v1/auth/login', body: () => ({ email: 'nobody@example.com', password: 'wrong password' }), expect: all(401) },
  { method: 'POST', path: '/v1/auth/refresh', body: () => ({ refreshToken: 'not-a-token' }), expect: all(401) },
  { method: 'POST', path: '/v1/auth/logout', body: () => ({ refreshToken: 'not-a-token' }), expect: all(204) },
  { method: 'POST', path: '/v1/auth/api-keys', body: () => ({ name: 'k', scopes: ['read-only'] }), expect: authed(201) },
  { method: 'GET', path: '/v1/auth/api-keys', expect: authed(200) },
  { method: 'DELETE', path: '/v1/auth/api-keys/{id}', url: () => '/v1/auth/api-keys/key_unknown', expect: authed(404) },
  { method: 'GET', path: '/v1/account/profile', expect: authed(200) },
  { method: 'PUT', path: '/v1/account/profile', body: () => ({ displayName: 'Renamed' }), expect: authed(200) },
  { method: 'POST', path: '/v1/account/enable-feature', body: () => ({ feature: 'DATA_CONSUMER' }), expect: authed(200) },
  { method: 'PUT', path: '/v1/account/keys', body: (c) => ({ ageRecipient: c.party?.recipient ?? c.consumer.recipient, signingPublicKey: c.party?.signingPublicKey ?? c.consumer.signingPublicKey }), expect: authed(200) },
  { method: 'GET', path: '/v1/account/keys', expect: authed(200) },
  { method: 'GET', path: '/v1/accounts/{id}/keys', url: (c) => `/v1/accounts/${c.producer.id}/keys`, expect: authed(200) },

  { method: 'POST', path: '/v1/producer/datasets', body: (c) => ({ name: 'D', slug: `d-${c.n}`, format: 'csv' }), expect: producerArea(201, 201) },
  { method: 'GET', path: '/v1/producer/datasets', expect: producerArea(200, 200) },
  { method: 'PUT', path: '/v1/producer/datasets/{id}', url: (c) => `/v1/producer/datasets/${c.ds}`, body: () => ({ description: 'changed' }), expect: producerArea(200, 404) },
  { method: 'POST', path: '/v1/producer/datasets/{id}/archive', url: (c) => `/v1/producer/datasets/${c.ds}/archive`, expect: producerArea(200, 404) },
  { method: 'POST', path: '/v1/producer/datasets/{id}/releases', url: (c) => `/v1/producer/datasets/${c.ds}/releases`, body: () => ({ payloadSize: 10 }), expect: producerArea(201, 404) },
  { method: 'GET', path: '/v1/producer/datasets/{id}/releases', url: (c) => `/v1/producer/datasets/${c.ds}/releases`, expect: producerArea(200, 404) },
  { method: 'GET', path: '/v1/producer/releases/{id}/grant', url: (c) => `/v1/producer/releases/${c.rel}/grant`, expect: producerArea(200, 404) },
  { method: 'POST', path: '/v1/producer/releases/{id}/upload-target', url: (c) => `/v1/producer/releases/${c.rel}/upload-target`, expect: producerArea(409, 404) },
  {
    method: 'POST',
    path: '/v1/producer/releases/{id}/complete',
    url: (c) => `/v1/producer/releases/${c.rel}/complete`,
    body: (c) => ({ manifest: (c.hub as ExchangeHub & { manifest?: unknown }).manifest, grants: [{ recipientAccountId: c.producer.id, recipient: c.producer.recipient, header: 'YWdlLWVuY3J5cHRpb24ub3JnL3YxCg==' }] }),
    expect: producerArea(409, 404),
  },
  { method: 'GET', path: '/v1/producer/subscribers', expect: producerArea(200, 200) },
  { method: 'POST', path: '/v1/producer/approve', body: decision, expect: producerArea(409, 404) },
  { method: 'POST', path: '/v1/producer/reject', body: decision, expect: producerArea(409, 404) },
  { method: 'POST', path: '/v1/producer/suspend', body: decision, expect: producerArea(200, 404) },
  { method: 'POST', path: '/v1/producer/reinstate', body: decision, expect: producerArea(409, 404) },
  { method: 'GET', path: '/v1/producer/pending-grants', expect: producerArea(200, 200) },
  { method: 'POST', path: '/v1/producer/grants', body: (c) => ({ grants: [(c.hub as ExchangeHub & { regrant?: unknown }).regrant] }), expect: producerArea(200, 404) },
  { method: 'GET', path: '/v1/producer/upload-config', expect: producerArea(200, 200) },

  { method: 'GET', path: '/v1/consumer/catalog', expect: consumerArea(200, 200) },
  { method: 'POST', path: '/v1/consumer/subscribe', body: (c) => ({ datasetId: c.ds }), expect: consumerArea(409, 201) },
  { method: 'DELETE', path: '/v1/consumer/unsubscribe/{subscriptionId}', url: (c) => `/v1/consumer/unsubscribe/${c.sub}`, expect: consumerArea(200, 404) },
  { method: 'GET', path: '/v1/consumer/subscriptions', expect: consumerArea(200, 200) },
  { method: 'GET', path: '/v1/consumer/datasets/{id}/releases', url: (c) => `/v1/consumer/datasets/${c.ds}/releases`, expect: consumerArea(200, 403) },
  { method: 'GET', path: '/v1/consumer/download/{releaseId}', url: (c) => `/v1/consumer/download/${c.rel}`, expect: consumerArea(200, 403) },

  { method: 'GET', path: '/v1/marketplace/datasets', expect: all(200) },
  { method: 'GET', path: '/v1/marketplace/dataset/{id}', url: (c) => `/v1/marketplace/dataset/${c.ds}`, expect: all(200) },
  { method: 'GET', path: '/v1/marketplace/providers', expect: all(200) },
  { method: 'GET', path: '/v1/marketplace/pricing', expect: all(200) },

  { method: 'GET', path: '/v1/usage', expect: authed(200) },
  { method: 'GET', path: '/v1/admin/audit', expect: adminOnly(200) },
  { method: 'GET', path: '/v1/admin/audit/verify', expect: adminOnly(200) },

  // Events and webhooks. `consumer` is PROFESSIONAL (webhooks allowed); `otherConsumer` is STARTER.
  { method: 'GET', path: '/v1/events', stream: true, expect: authed(200) },
  { method: 'PUT', path: '/v1/consumer/webhook', body: () => ({ url: 'https://93.184.216.34/dme-hook' }), expect: consumerArea(200, 403) },
  { method: 'GET', path: '/v1/consumer/webhook', expect: consumerArea(404, 403) },
  { method: 'POST', path: '/v1/consumer/webhook/test', expect: consumerArea(404, 403) },
  { method: 'GET', path: '/v1/consumer/webhook/deliveries', expect: consumerArea(404, 403) },
  { method: 'POST', path: '/v1/consumer/webhook/deliveries/{id}/redeliver', url: () => '/v1/consumer/webhook/deliveries/dlv_unknown/redeliver', expect: consumerArea(404, 403) },

  // Freshness (public for published datasets) and the admin API.
  { method: 'GET', path: '/v1/freshness/{datasetId}', url: (c) => `/v1/freshness/${c.ds}`, expect: all(200) },
  { method: 'GET', path: '/v1/admin/accounts', expect: adminOnly(200) },
  { method: 'GET', path: '/v1/admin/accounts/{id}', url: (c) => `/v1/admin/accounts/${c.producer.id}`, expect: adminOnly(200) },
  { method: 'PUT', path: '/v1/admin/accounts/{id}/tier', url: (c) => `/v1/admin/accounts/${c.producer.id}/tier`, body: () => ({ tier: 'ENTERPRISE' }), expect: adminOnly(200) },
  { method: 'PUT', path: '/v1/admin/accounts/{id}/features', url: (c) => `/v1/admin/accounts/${c.producer.id}/features`, body: () => ({ features: ['DATA_PRODUCER', 'DATA_CONSUMER'] }), expect: adminOnly(200) },
  { method: 'POST', path: '/v1/admin/accounts/{id}/suspend', url: (c) => `/v1/admin/accounts/${c.producer.id}/suspend`, expect: adminOnly(200) },
  { method: 'POST', path: '/v1/admin/accounts/{id}/reactivate', url: (c) => `/v1/admin/accounts/${c.producer.id}/reactivate`, expect: adminOnly(200) },
  { method: 'POST', path: '/v1/admin/accounts/{id}/api-keys/revoke', url: (c) => `/v1/admin/accounts/${c.producer.id}/api-keys/revoke`, expect: adminOnly(200) },
  { method: 'GET', path: '/v1/admin/datasets', expect: adminOnly(200) },
  { method: 'PUT', path: '/v1/admin/datasets/{id}/status', url: (c) => `/v1/admin/datasets/${c.ds}/status`, body: () => ({ status: 'SUSPENDED' }), expect: adminOnly(200) },
  { method: 'GET', path: '/v1/admin/subscriptions', expect: adminOnly(200) },
  { method: 'GET', path: '/v1/admin/usage', expect: adminOnly(200) },
  { method: 'GET', path: '/v1/admin/freshness', expect: adminOnly(200) },
  { method: 'GET', path: '/v1/admin/freshness/{id}', url: (c) => `/v1/admin/freshness/${c.ds}`, expect: adminOnly(200) },
  { method: 'GET', path: '/v1/admin/webhooks', expect: adminOnly(200) },
  { method: 'POST', path: '/v1/admin/webhooks/{id}/enable', url: () => '/v1/admin/webhooks/whk_unknown/enable', expect: adminOnly(404) },
];

/** Status (and error body) of a streaming route without waiting for the stream to end. */
async function streamStatus(hub: ExchangeHub, path: string, token?: string): Promise<{ status: number; body: unknown }> {
  const res = await hub.app.request(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (res.status < 400) {
    await res.body?.cancel();
    return { status: res.status, body: null };
  }
  return { status: res.status, body: await res.json() };
}

async function world() {
  const hub = await makeExchangeHub();
  const producer = await hub.party('producer', ['DATA_PRODUCER']);
  const consumer = await hub.party('consumer', ['DATA_CONSUMER']);
  const parties: Partial<Record<Role, Party>> = {
    producer,
    consumer,
    otherConsumer: await hub.party('other-consumer', ['DATA_CONSUMER']),
    otherProducer: await hub.party('other-producer', ['DATA_PRODUCER']),
    admin: await hub.party('admin', []),
  };
  await hub.store.accounts.addFeature(parties.admin!.id, 'ADMIN', hub.clock.now().toISOString());
  const upgraded = await call(hub, 'PUT', `/v1/admin/accounts/${consumer.id}/tier`, { token: parties.admin!.token, body: { tier: 'PROFESSIONAL' } });
  expect(upgraded.status).toBe(200);
  const ds = await createDataset(hub, producer, 'matrix');
  const published = await publish(hub, producer, ds, new TextEncoder().encode('a\n1\n'), []);
  const sub = await call(hub, 'POST', '/v1/consumer/subscribe', { token: consumer.token, body: { datasetId: ds } });
  const grant = await rewrap(hub, producer, published.releaseId, consumer);
  const approved = await call(hub, 'POST', '/v1/producer/approve', { token: producer.token, body: { subscriptionId: sub.body.id, grants: [grant] } });
  expect(approved.body.subscription.status).toBe('active');
  // A valid signed manifest for the complete row (the release is already published, so the owner gets 409).
  const manifest: unknown = (await call(hub, 'GET', `/v1/producer/datasets/${ds}/releases`, { token: producer.token })).body.items[0].manifest;
  Object.assign(hub, { manifest, regrant: grant });
  return { hub, producer, consumer, parties, ds, rel: published.releaseId, sub: sub.body.id as string };
}

describe('authorization matrix', () => {
  it('covers every route in the OpenAPI document', async () => {
    const hub = await makeExchangeHub();
    try {
      const doc = await call<{ paths: Record<string, Record<string, unknown>> }>(hub, 'GET', '/v1/openapi.json');
      const documented = Object.entries(doc.body.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).sort();
      expect(ROWS.map((r) => `${r.method} ${r.path}`).sort()).toEqual(documented);
    } finally {
      await hub.done();
    }
  });

  let n = 0;
  for (const row of ROWS) {
    it(`${row.method} ${row.path}`, async () => {
      const w = await world();
      try {
        const order = [...ROLES].sort((a, b) => Number(row.expect[a] < 300) - Number(row.expect[b] < 300));
        const got: Partial<Expect> = {};
        for (const role of order) {
          const party = role === 'anonymous' ? undefined : w.parties[role];
          const ctx: Ctx = { hub: w.hub, producer: w.producer, consumer: w.consumer, ds: w.ds, rel: w.rel, sub: w.sub, role, n: ++n, ...(party ? { party } : {}) };
          const path = row.url ? row.url(ctx) : row.path;
          const res = row.stream
            ? await streamStatus(w.hub, path, party?.token)
            : await call(w.hub, row.method, path, { ...(party ? { token: party.token } : {}), ...(row.body ? { body: row.body(ctx) } : {}) });
          got[role] = res.status;
          if (res.status >= 400) expect(res.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
        }
        expect(got).toEqual(row.expect);
      } finally {
        await w.hub.done();
      }
    });
  }
});
