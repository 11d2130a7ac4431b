/**
 * Rate limits and quotas through the real app (SQLite store in a temp dir),
 * with the test clock: bursts, refill, per-key and per-account buckets,
 * per-IP limits for anonymous calls, tier changes, monthly API-call quota
 * across a restart, and the download-bandwidth quota.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema, TIER_LIMITS } from '@dme/core/protocol';
import { createApp } from '../app.js';
import type { HubDeps } from '../deps.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { call, makeHub, signup } from '../../test/harness.js';
import type { TestHub } from '../../test/harness.js';
import { createDataset, makeExchangeHub, publish } from '../../test/exchange-fixture.js';
import { parseRateLimit } from './headers.js';
import { defaultPolicy } from './policy.js';
import type { LimitsOptions } from './policy.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0)) await f();
});

function hubWith(limits: LimitsOptions = {}): TestHub {
  const hub = makeHub({ limits });
  cleanups.push(hub.cleanup);
  return hub;
}

/** A request from a given client address, as @hono/node-server would pass it. */
async function fromIp(hub: { app: TestHub['app'] }, ip: string, path: string) {
  const res = await hub.app.request(path, {}, { incoming: { socket: { remoteAddress: ip } } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
}

async function burst(hub: TestHub, n: number, token: string, path = '/v1/account/profile'): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await call(hub, 'GET', path, { token })).status);
  return out;
}

async function apiKey(hub: TestHub, token: string, name: string): Promise<string> {
  const r = await call(hub, 'POST', '/v1/auth/api-keys', { token, body: { name, scopes: ['consumer', 'producer'] } });
  expect(r.status).toBe(201);
  return r.body.key as string;
}

describe('token buckets', () => {
  it('allows the STARTER burst, then answers 429 RATE_LIMITED with Retry-After and RateLimit headers; refills with time', async () => {
    const hub = hubWith();
    const { accessToken } = await signup(hub);
    const { burst: size, requestsPerSecond: rps } = TIER_LIMITS.STARTER;

    const first = await call(hub, 'GET', '/v1/account/profile', { token: accessToken });
    expect(first.status).toBe(200);
    expect(first.headers.get('RateLimit-Policy')).toBe(`"burst";q=${size};w=${size / rps}, "monthly";q=${TIER_LIMITS.STARTER.monthlyApiCalls};w=${31 * 86400}`);
    expect(parseRateLimit(first.headers.get('RateLimit'), 'burst')).toEqual({ r: size - 1, t: 1 });

    expect(await burst(hub, size - 1, accessToken)).toEqual(Array(size - 1).fill(200));
    const refused = await call(hub, 'GET', '/v1/account/profile', { token: accessToken });
    expect(refused.status).toBe(429);
    expect(ErrorBodySchema.parse(refused.body).error.code).toBe('RATE_LIMITED');
    expect(refused.body.error.details).toEqual({ bucket: 'account', retryAfterSeconds: 1 });
    expect(refused.headers.get('Retry-After')).toBe('1');
    expect(parseRateLimit(refused.headers.get('RateLimit'), 'burst')).toEqual({ r: 0, t: size / rps });

    // 0.5 s at 10/s: five tokens.
    hub.clock.advance(0.5);
    expect(await burst(hub, 6, accessToken)).toEqual([200, 200, 200, 200, 200, 429]);
    // A full refill takes burst/rate = 2 s; more time adds nothing beyond the burst.
    hub.clock.advance(60);
    expect(await burst(hub, size + 1, accessToken)).toEqual([...Array(size).fill(200), 429]);
  });

  it('limits each API key and the whole account: the stricter bucket decides, other accounts are untouched', async () => {
    // API keys get half the account's figures here, so both buckets can be seen deciding.
    const hub = hubWith({ policy: (tier, kind) => (kind === 'apikey' ? { ...defaultPolicy(tier, kind), burst: 5, requestsPerSecond: 5 } : defaultPolicy(tier, kind)) });
    const owner = await signup(hub);
    const other = await signup(hub);
    const keyA = await apiKey(hub, owner.accessToken, 'a');
    const keyB = await apiKey(hub, owner.accessToken, 'b');
    hub.clock.advance(10); // key creation used account tokens; start from full buckets

    expect(await burst(hub, 6, keyA)).toEqual([200, 200, 200, 200, 200, 429]);
    const byKey = await call(hub, 'GET', '/v1/account/profile', { token: keyA });
    expect(byKey.body.error.details.bucket).toBe('apikey');
    // Key B has its own bucket; together the two keys and the session drain the account's 20.
    expect(await burst(hub, 5, keyB)).toEqual(Array(5).fill(200));
    expect(await burst(hub, 11, owner.accessToken)).toEqual([...Array(10).fill(200), 429]);
    const byAccount = await call(hub, 'GET', '/v1/account/profile', { token: keyB });
    expect(byAccount.status).toBe(429);
    expect(byAccount.body.error.details.bucket).toBe('account');
    expect((await call(hub, 'GET', '/v1/account/profile', { token: other.accessToken })).status).toBe(200);
  });

  it('limits anonymous calls per client IP with the STARTER figures', async () => {
    const hub = hubWith();
    const size = TIER_LIMITS.STARTER.burst;
    for (let i = 0; i < size; i++) expect((await fromIp(hub, '203.0.113.7', '/v1/marketplace/pricing')).status).toBe(200);
    const refused = await fromIp(hub, '203.0.113.7', '/v1/marketplace/pricing');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: { code: 'RATE_LIMITED', details: { bucket: 'ip' } } });
    expect(refused.headers.get('Retry-After')).toBe('1');
    expect(refused.headers.get('RateLimit-Policy')).toBe(`"burst";q=${size};w=2`);
    expect((await fromIp(hub, '203.0.113.8', '/v1/marketplace/pricing')).status).toBe(200);
    hub.clock.advance(1);
    expect((await fromIp(hub, '203.0.113.7', '/v1/marketplace/pricing')).status).toBe(200);
  });

  it("applies an admin's tier change from the account's next request", async () => {
    const hub = hubWith();
    const admin = await signup(hub);
    await hub.store.accounts.addFeature(admin.account.id, 'ADMIN', hub.clock.now().toISOString());
    const user = await signup(hub);
    expect(await burst(hub, 21, user.accessToken)).toEqual([...Array(20).fill(200), 429]);

    const changed = await call(hub, 'PUT', `/v1/admin/accounts/${user.account.id}/tier`, { token: admin.accessToken, body: { tier: 'PROFESSIONAL' } });
    expect(changed.status).toBe(200);
    expect(changed.body.tier).toBe('PROFESSIONAL');
    // 1 s at PROFESSIONAL's 50/s refills 50 tokens (STARTER would give 10, capped at 20).
    hub.clock.advance(1);
    const statuses = await burst(hub, 51, user.accessToken);
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses.at(-1)).toBe(429);
    const last = await call(hub, 'GET', '/v1/account/profile', { token: user.accessToken });
    expect(last.headers.get('RateLimit-Policy')).toMatch(/^"burst";q=100;w=2, "monthly";q=10000000;/);
  });
});

describe('monthly quotas', () => {
  it('counts API calls in memory, persists them on close, and keeps refusing after a restart until the month turns', async () => {
    const limits: LimitsOptions = { policy: (tier, kind) => ({ ...defaultPolicy(tier, kind), monthlyApiCalls: 12 }) };
    const hub = makeHub({ limits });
    const path = join(hub.dir, 'hub.db');
    const { accessToken: session, account } = await signup(hub);
    // An API key, as a long-running client would use (the session's access token expires in 15 min).
    const accessToken = await apiKey(hub, session, 'quota');
    expect(await burst(hub, 4, accessToken)).toEqual(Array(4).fill(200));
    // Batched: the database has not been written for these calls yet.
    const row = () => hub.store.db.prepare('SELECT calls FROM api_call_counters WHERE account_id = ?').get(account.id) as { calls: number } | undefined;
    expect(row()).toBeUndefined();
    await hub.store.close();

    // Restart: a new store and app on the same file, same clock.
    const store = openSqliteStore(path);
    cleanups.push(async () => {
      await store.close();
      rmSync(hub.dir, { recursive: true, force: true });
    });
    const deps: HubDeps = { ...hub.deps, store };
    const app = createApp(deps);
    const again = { ...hub, app, store, deps };
    expect((store.db.prepare('SELECT calls FROM api_call_counters WHERE account_id = ?').get(account.id) as { calls: number }).calls).toBe(5);
    const statuses = await burst(again, 8, accessToken);
    expect(statuses).toEqual([...Array(7).fill(200), 429]);
    const refused = await call(again, 'GET', '/v1/account/profile', { token: accessToken });
    expect(refused.body).toMatchObject({ error: { code: 'QUOTA_EXCEEDED', details: { quota: 'monthlyApiCalls', limit: 12, used: 12, resetsAt: '2025-02-01T00:00:00.000Z' } } });
    // Now 2025-01-27T14:00:00Z: the reset is 4 d 10 h away.
    expect(refused.headers.get('Retry-After')).toBe(String(4 * 86400 + 10 * 3600));
    expect(parseRateLimit(refused.headers.get('RateLimit'), 'monthly')).toEqual({ r: 0, t: 4 * 86400 + 10 * 3600 });

    hub.clock.advance(5 * 86400); // February
    const feb = await call(again, 'GET', '/v1/account/profile', { token: accessToken });
    expect(feb.status).toBe(200);
    expect(parseRateLimit(feb.headers.get('RateLimit'), 'monthly')).toEqual({ r: 11, t: 27 * 86400 + 10 * 3600 });
  });

  it('refuses a download URL whose payload would exceed the monthly bandwidth, counting issued downloads from usage', async () => {
    const hub = await makeExchangeHub();
    cleanups.push(() => hub.done());
    const producer = await hub.party('bw-p', ['DATA_PRODUCER']);
    const consumer = await hub.party('bw-c', ['DATA_CONSUMER']);
    const ds = await createDataset(hub, producer, 'bandwidth');
    const sub = await call(hub, 'POST', '/v1/consumer/subscribe', { token: consumer.token, body: { datasetId: ds } });
    expect((await call(hub, 'POST', '/v1/producer/approve', { token: producer.token, body: { subscriptionId: sub.body.id } })).status).toBe(200);
    const rel = await publish(hub, producer, ds, new TextEncoder().encode('id,n\n1,2\n'), [consumer]);
    expect(rel.status).toBe(200);
    const size = rel.payload.length;
    const half = Math.floor(size / 2);
    hub.clock.advance(10);

    // The policy is read per request, so the limit can be set now: room for two downloads of this payload.
    hub.deps.limits = { policy: (tier, kind) => ({ ...defaultPolicy(tier, kind), monthlyDownloadBytes: 2 * size + half }) };
    const limited = { ...hub, app: createApp(hub.deps) };
    const first = await call(limited, 'GET', `/v1/consumer/download/${rel.releaseId}`, { token: consumer.token });
    expect(first.status).toBe(200);
    expect(first.headers.get('RateLimit-Policy')).toContain(`"bandwidth";q=${2 * size + half};qu="content-bytes";w=`);
    expect(parseRateLimit(first.headers.get('RateLimit'), 'bandwidth')!.r).toBe(size + half);
    expect((await call(limited, 'GET', `/v1/consumer/download/${rel.releaseId}`, { token: consumer.token })).status).toBe(200);
    const refused = await call(limited, 'GET', `/v1/consumer/download/${rel.releaseId}`, { token: consumer.token });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: { code: 'QUOTA_EXCEEDED', details: { quota: 'monthlyDownloadBytes', used: 2 * size, requested: size } } });
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(86400);
    // Other routes still work: only download URLs cost bandwidth.
    expect((await call(limited, 'GET', '/v1/consumer/subscriptions', { token: consumer.token })).status).toBe(200);
    // The route builds these fields into its answer (limits/respond.ts): once each, next to its own header.
    expect(first.headers.get('RateLimit')!.split(', ').map((m) => m.split(';')[0])).toEqual(['"burst"', '"monthly"', '"bandwidth"']);
    expect(first.headers.get('Content-Type')).toBe('application/json');
    // An error answer of the same route gets them from the limiter instead; with limits off there are none.
    const unknown = await call(limited, 'GET', '/v1/consumer/download/rel_unknown', { token: consumer.token });
    expect(unknown.status).toBe(404);
    expect(parseRateLimit(unknown.headers.get('RateLimit'), 'burst')).not.toBeNull();
    const unlimited = await call(hub, 'GET', `/v1/consumer/download/${rel.releaseId}`, { token: consumer.token });
    expect(unlimited.status).toBe(200);
    expect(unlimited.headers.get('RateLimit')).toBeNull();
    expect(unlimited.body.manifest).toEqual(first.body.manifest);
  });
});
