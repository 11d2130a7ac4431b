/**
 * The admin API: every route × {anonymous, consumer, producer, admin}, what
 * the changes do (suspension stops tokens and API keys, key revocation,
 * listing suspension), and lists on 10,000 accounts (keyset pages, search,
 * index use). Rate limits are off here: the roles fire many calls at one
 * frozen instant, which limits.test.ts covers on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminAccountPageSchema, AdminDatasetPageSchema } from '@dme/core/protocol';
import { call, makeHub, signup } from '../../test/harness.js';
import type { TestHub } from '../../test/harness.js';

let hub: TestHub;
const tokens: Record<'consumer' | 'producer' | 'admin', string> = { consumer: '', producer: '', admin: '' };
let target: string;
let datasetId: string;

beforeAll(async () => {
  hub = makeHub({ limits: { enabled: false } });
  for (const role of ['consumer', 'producer', 'admin'] as const) {
    const s = await signup(hub, `role-${role}`);
    tokens[role] = s.accessToken;
    if (role === 'admin') await hub.store.accounts.addFeature(s.account.id, 'ADMIN', hub.clock.now().toISOString());
    else await call(hub, 'POST', '/v1/account/enable-feature', { token: s.accessToken, body: { feature: role === 'consumer' ? 'DATA_CONSUMER' : 'DATA_PRODUCER' } });
  }
  target = (await signup(hub, 'target')).account.id;
  const d = await call(hub, 'POST', '/v1/producer/datasets', { token: tokens.producer, body: { name: 'Numbers', slug: 'numbers', format: 'csv', expectedUpdateIntervalSeconds: 3600 } });
  datasetId = d.body.id;
  await call(hub, 'PUT', `/v1/producer/datasets/${datasetId}`, { token: tokens.producer, body: { status: 'PUBLISHED' } });
});
afterAll(async () => hub.cleanup());

describe('admin routes × roles', () => {
  const routes = (): { method: string; path: string; body?: unknown; ok: number }[] => [
    { method: 'GET', path: '/v1/admin/accounts', ok: 200 },
    { method: 'GET', path: `/v1/admin/accounts/${target}`, ok: 200 },
    { method: 'PUT', path: `/v1/admin/accounts/${target}/tier`, body: { tier: 'PROFESSIONAL' }, ok: 200 },
    { method: 'PUT', path: `/v1/admin/accounts/${target}/features`, body: { features: ['DATA_CONSUMER'] }, ok: 200 },
    { method: 'POST', path: `/v1/admin/accounts/${target}/suspend`, ok: 200 },
    { method: 'POST', path: `/v1/admin/accounts/${target}/reactivate`, ok: 200 },
    { method: 'POST', path: `/v1/admin/accounts/${target}/api-keys/revoke`, ok: 200 },
    { method: 'GET', path: '/v1/admin/datasets', ok: 200 },
    { method: 'PUT', path: `/v1/admin/datasets/${datasetId}/status`, body: { status: 'SUSPENDED' }, ok: 200 },
    { method: 'GET', path: '/v1/admin/subscriptions?status=active', ok: 200 },
    { method: 'GET', path: '/v1/admin/usage?month=2025-01', ok: 200 },
    { method: 'GET', path: '/v1/admin/freshness', ok: 200 },
    { method: 'GET', path: `/v1/admin/freshness/${datasetId}`, ok: 200 },
  ];

  it('answers 401 anonymous, 403 consumer and producer (changing nothing), and serves the admin', async () => {
    for (const r of routes()) {
      const anon = await call(hub, r.method, r.path, r.body === undefined ? {} : { body: r.body });
      expect([r.path, anon.status, anon.body.error.code]).toEqual([r.path, 401, 'UNAUTHENTICATED']);
      for (const role of ['consumer', 'producer'] as const) {
        const res = await call(hub, r.method, r.path, { token: tokens[role], ...(r.body === undefined ? {} : { body: r.body }) });
        expect([r.path, role, res.status, res.body.error.code]).toEqual([r.path, role, 403, 'FORBIDDEN']);
      }
    }
    // Nothing changed through the refused calls.
    expect((await hub.store.accounts.getById(target))!.tier).toBe('STARTER');
    expect((await hub.store.datasets.get(datasetId))!.status).toBe('PUBLISHED');
    for (const r of routes()) {
      const res = await call(hub, r.method, r.path, { token: tokens.admin, ...(r.body === undefined ? {} : { body: r.body }) });
      expect([r.path, res.status]).toEqual([r.path, r.ok]);
    }
    expect((await hub.store.accounts.getById(target))!).toMatchObject({ tier: 'PROFESSIONAL', features: ['DATA_CONSUMER'], status: 'ACTIVE' });
    const ds = await call(hub, 'GET', '/v1/admin/datasets?status=SUSPENDED', { token: tokens.admin });
    expect(AdminDatasetPageSchema.parse(ds.body).items.map((d) => [d.id, d.freshness.state])).toEqual([[datasetId, 'ON_TIME']]);
    // A suspended listing leaves the public catalog; an admin reinstates it.
    expect((await call(hub, 'GET', `/v1/freshness/${datasetId}`)).status).toBe(404);
    expect((await call(hub, 'PUT', `/v1/admin/datasets/${datasetId}/status`, { token: tokens.admin, body: { status: 'PUBLISHED' } })).status).toBe(200);
    expect((await call(hub, 'GET', `/v1/freshness/${datasetId}`)).status).toBe(200);
    // Each change is in the audit chain, with the admin as actor.
    const actions = (hub.store.db.prepare(`SELECT action FROM audit_log WHERE action LIKE 'admin.%' ORDER BY seq`).all() as { action: string }[]).map((a) => a.action);
    expect(actions).toEqual(['admin.account.tier', 'admin.account.features', 'admin.account.suspend', 'admin.account.reactivate', 'admin.account.revoke-keys', 'admin.dataset.status', 'admin.dataset.status']);
  });

  it('suspension stops the account’s session and API keys at once; revocation kills the keys', async () => {
    const user = await signup(hub, 'suspendee');
    const key = (await call(hub, 'POST', '/v1/auth/api-keys', { token: user.accessToken, body: { name: 'k', scopes: ['consumer'] } })).body.key as string;
    expect((await call(hub, 'GET', '/v1/account/profile', { token: key })).status).toBe(200);
    expect((await call(hub, 'POST', `/v1/admin/accounts/${user.account.id}/suspend`, { token: tokens.admin, body: { reason: 'abuse' } })).status).toBe(200);
    for (const t of [user.accessToken, key]) expect((await call(hub, 'GET', '/v1/account/profile', { token: t })).status).toBe(403);
    expect((await call(hub, 'POST', `/v1/admin/accounts/${user.account.id}/reactivate`, { token: tokens.admin })).status).toBe(200);
    expect((await call(hub, 'GET', '/v1/account/profile', { token: key })).status).toBe(200);
    const revoked = await call(hub, 'POST', `/v1/admin/accounts/${user.account.id}/api-keys/revoke`, { token: tokens.admin });
    expect(revoked.body).toEqual({ revoked: 1 });
    expect((await call(hub, 'GET', '/v1/account/profile', { token: key })).status).toBe(401);
    expect((await call(hub, 'GET', '/v1/account/profile', { token: user.accessToken })).status).toBe(200);
  });

  it('refuses bad input and self-lockout with clear errors', async () => {
    const admin = { token: tokens.admin };
    expect((await call(hub, 'PUT', `/v1/admin/accounts/${target}/tier`, { ...admin, body: { tier: 'GOLD' } })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await call(hub, 'PUT', '/v1/admin/accounts/acc_nobody/tier', { ...admin, body: { tier: 'ENTERPRISE' } })).status).toBe(404);
    expect((await call(hub, 'POST', `/v1/admin/accounts/${target}/suspend`, { ...admin, raw: '{"reason":' })).body.error.code).toBe('BAD_REQUEST');
    const me = (await call(hub, 'GET', '/v1/account/profile', admin)).body.id as string;
    expect((await call(hub, 'POST', `/v1/admin/accounts/${me}/suspend`, admin)).body.error.code).toBe('INVALID_STATE');
    expect((await call(hub, 'PUT', `/v1/admin/accounts/${me}/features`, { ...admin, body: { features: [] } })).body.error.code).toBe('INVALID_STATE');
    expect((await call(hub, 'GET', '/v1/admin/usage?month=2025-13', admin)).status).toBe(400);
  });
});

describe('admin lists on 10,000 accounts', () => {
  it('pages by keyset, searches, filters, and uses the indexes', async () => {
    const now = hub.clock.now().toISOString();
    const insert = hub.store.db.prepare(
      `INSERT INTO accounts (id, email, password_hash, display_name, organization, tier, created_at, updated_at) VALUES (?, ?, 'x', ?, ?, ?, ?, ?)`,
    );
    hub.store.db.transaction(() => {
      for (let i = 0; i < 10_000; i++) {
        const n = String(i).padStart(5, '0');
        insert.run(`acc_bulk${n}`, `bulk${n}@example.com`, `Bulk ${n}`, i % 100 === 0 ? 'Acme Telecom' : null, i % 10 === 0 ? 'ENTERPRISE' : 'STARTER', now, now);
      }
    })();
    const admin = { token: tokens.admin };
    const seen: string[] = [];
    let cursor: string | null = null;
    const t0 = performance.now();
    for (let page = 0; page < 3; page++) {
      const res = await call(hub, 'GET', `/v1/admin/accounts?limit=200${cursor ? `&cursor=${cursor}` : ''}`, admin);
      const body = AdminAccountPageSchema.parse(res.body);
      seen.push(...body.items.map((a) => a.id));
      cursor = body.nextCursor;
    }
    const search = AdminAccountPageSchema.parse((await call(hub, 'GET', '/v1/admin/accounts?q=acme&tier=ENTERPRISE', admin)).body);
    const ms = performance.now() - t0;
    expect(seen).toHaveLength(600);
    expect([...seen].sort()).toEqual(seen);
    expect(new Set(seen).size).toBe(600);
    expect(search.items).toHaveLength(50);
    expect(search.items.every((a) => a.organization === 'Acme Telecom' && a.tier === 'ENTERPRISE')).toBe(true);
    expect(search.nextCursor).toBe(search.items.at(-1)!.id);
    expect(ms).toBeLessThan(2000);

    const plan = (sql: string) => (hub.store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan(`SELECT id FROM accounts WHERE status = 'ACTIVE' AND id > '' ORDER BY id LIMIT 50`)).toMatch(/USING (COVERING )?INDEX accounts_status/);
    expect(plan(`SELECT id FROM accounts WHERE tier = 'STARTER' AND id > '' ORDER BY id LIMIT 50`)).toMatch(/USING (COVERING )?INDEX accounts_tier/);
    expect(plan(`SELECT * FROM subscriptions WHERE status = 'active' AND id > '' ORDER BY id LIMIT 50`)).toMatch(/USING INDEX subscriptions_status/);
  });
});
