/**
 * The admin page's API on a large hub: 10,000 accounts, 1,000 datasets with
 * 100,000 releases, 5,000 subscriptions and 1,000 webhooks with 20,000
 * deliveries, seeded in one SQL transaction. Every list the page pages
 * through answers full pages and walks on with its cursor; the statements
 * behind them use indexes (checked with EXPLAIN QUERY PLAN: counts and
 * plans, not timings).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminAccountPageSchema, AdminDatasetPageSchema, AdminSubscriptionPageSchema } from '@dme/core/protocol';
import { call, makeHub, signup } from '../../test/harness.js';
import { AdminWebhookPageSchema } from '../routes/admin-webhooks.js';
import { HEALTH_SQL } from '../store/sqlite/admin-webhooks.js';

const hub = makeHub();
let token = '';

beforeAll(async () => {
  const admin = await signup(hub, 'scale-admin');
  await hub.store.accounts.addFeature(admin.account.id, 'ADMIN', hub.clock.now().toISOString());
  token = admin.accessToken;
  const db = hub.store.db;
  const now = hub.clock.now().getTime();
  const iso = (ms: number) => new Date(ms).toISOString();
  const pad = (n: number) => String(n).padStart(6, '0');
  const account = db.prepare(`INSERT INTO accounts (id, email, password_hash, display_name, organization, tier, created_at, updated_at) VALUES (?, ?, 'x', ?, NULL, ?, ?, ?)`);
  const dataset = db.prepare(
    `INSERT INTO datasets (id, producer_id, slug, name, category, status, details, published_at, last_release_id, last_release_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'telecom', 'PUBLISHED', ?, ?, ?, ?, ?, ?)`,
  );
  const release = db.prepare(
    `INSERT INTO releases (id, dataset_id, producer_id, status, payload_size, payload_sha256, blob_key, created_at, published_at) VALUES (?, ?, ?, 'published', 100, NULL, ?, ?, ?)`,
  );
  const sub = db.prepare(`INSERT INTO subscriptions (id, dataset_id, consumer_id, producer_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const hook = db.prepare(`INSERT INTO webhooks (id, account_id, url, secret, enabled, from_event_id, consecutive_failures, disabled_reason, created_at, updated_at) VALUES (?, ?, 'https://example.com/h', 'whsec_x', ?, 0, ?, ?, ?, ?)`);
  const delivery = db.prepare(
    `INSERT INTO webhook_deliveries (id, webhook_id, message_id, event_id, type, body, status, attempts, next_attempt_at, redelivery_of, created_at, updated_at) VALUES (?, ?, ?, NULL, 'PING', '{}', ?, 1, NULL, NULL, ?, ?)`,
  );
  const attempt = db.prepare(`INSERT INTO webhook_attempts (delivery_id, attempt, time, ok, latency_ms, response_code, error) VALUES (?, 1, ?, ?, 5, ?, NULL)`);
  db.transaction(() => {
    for (let i = 0; i < 10_000; i++) account.run(`acc_s${pad(i)}`, `s${pad(i)}@example.com`, `Scale ${i}`, i % 3 ? 'STARTER' : 'PROFESSIONAL', iso(now), iso(now));
    for (let d = 0; d < 1_000; d++) {
      const id = `ds_s${pad(d)}`;
      const producer = `acc_s${pad(d)}`;
      const last = iso(now - (d % 5) * 86_400_000);
      dataset.run(id, producer, `set-${d}`, `Set ${d}`, JSON.stringify({ format: 'csv', expectedUpdateIntervalSeconds: 86_400 }), iso(now - 200 * 86_400_000), `rel_s${pad(d)}099`, last, iso(now), iso(now));
      for (let r = 0; r < 100; r++) {
        const at = iso(now - (99 - r) * 2 * 86_400_000 - (d % 5) * 86_400_000);
        release.run(`rel_s${pad(d)}${String(r).padStart(3, '0')}`, id, producer, `b/${d}/${r}`, at, at);
      }
    }
    for (let s = 0; s < 5_000; s++) sub.run(`sub_s${pad(s)}`, `ds_s${pad(s % 1000)}`, `acc_s${pad(1000 + s)}`, `acc_s${pad(s % 1000)}`, ['pending', 'active', 'suspended', 'cancelled'][s % 4]!, iso(now), iso(now));
    for (let w = 0; w < 1_000; w++) {
      const id = `whk_s${pad(w)}`;
      const enabled = w % 10 ? 1 : 0;
      hook.run(id, `acc_s${pad(5000 + w)}`, enabled, enabled ? 0 : 8, enabled ? null : 'retries exhausted', iso(now), iso(now));
      for (let k = 0; k < 20; k++) {
        const ok = (k + w) % 4 !== 0;
        const at = iso(now - k * 3_600_000);
        delivery.run(`whd_s${pad(w)}${String(k).padStart(2, '0')}`, id, `m${k}`, ok ? 'succeeded' : 'failed', at, at);
        attempt.run(`whd_s${pad(w)}${String(k).padStart(2, '0')}`, at, ok ? 1 : 0, ok ? 200 : 500);
      }
    }
  })();
  db.exec('ANALYZE');
}, 120_000);
afterAll(async () => hub.cleanup());

async function walk<T extends { items: unknown[]; nextCursor: string | null }>(path: string, parse: (b: unknown) => T, pages: number): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < pages; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await call(hub, 'GET', `${path}${sep}limit=25${cursor ? `&cursor=${cursor}` : ''}`, { token });
    expect(res.status).toBe(200);
    const page = parse(res.body);
    out.push(page);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return out;
}

const plan = (sql: string) => (hub.store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');

describe('admin page lists on 10,000 accounts and 100,000 releases', () => {
  it('seeded what it claims', () => {
    const count = (t: string) => (hub.store.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    expect([count('accounts'), count('releases'), count('webhook_deliveries')]).toEqual([10_001, 100_000, 20_000]);
  });

  it('answers full pages and walks on by cursor on every list the page shows', async () => {
    const accounts = await walk('/v1/admin/accounts?tier=PROFESSIONAL', (b) => AdminAccountPageSchema.parse(b), 3);
    expect(accounts.map((p) => p.items.length)).toEqual([25, 25, 25]);
    expect(new Set(accounts.flatMap((p) => p.items.map((a) => a.id))).size).toBe(75);
    const datasets = await walk('/v1/admin/datasets?status=PUBLISHED', (b) => AdminDatasetPageSchema.parse(b), 2);
    expect(datasets.map((p) => p.items.length)).toEqual([25, 25]);
    // Freshness is computed per dataset from its releases of the SLA window.
    const states = new Set(datasets.flatMap((p) => p.items.map((d) => d.freshness.state)));
    expect(states).toEqual(new Set(['ON_TIME', 'LATE']));
    expect(datasets[0]!.items.every((d) => d.freshness.intervals30d.expected > 0)).toBe(true);
    const subs = await walk('/v1/admin/subscriptions?status=suspended', (b) => AdminSubscriptionPageSchema.parse(b), 2);
    expect(subs.flatMap((p) => p.items).every((s) => s.status === 'suspended')).toBe(true);
    const hooks = await walk('/v1/admin/webhooks?enabled=false', (b) => AdminWebhookPageSchema.parse(b), 3);
    expect(hooks.map((p) => p.items.length)).toEqual([25, 25, 25]);
    const first = hooks[0]!.items[0]!;
    expect(first).toMatchObject({ id: 'whk_s000000', enabled: false, consecutiveFailures: 8 });
    expect(first.health).toMatchObject({ failedDeliveries: 5, succeededDeliveries: 15, pendingDeliveries: 0 });
    expect(first.recentDeliveries).toHaveLength(5);
  });

  it('uses indexes for every statement behind the pages', () => {
    expect(plan(`SELECT * FROM datasets WHERE status = 'PUBLISHED' AND id > '' ORDER BY id LIMIT 25`)).toMatch(/USING INDEX datasets_status/);
    expect(plan(`SELECT * FROM subscriptions WHERE status = 'active' AND id > '' ORDER BY id LIMIT 25`)).toMatch(/USING INDEX subscriptions_status/);
    expect(plan(`SELECT published_at FROM releases WHERE dataset_id = 'x' AND status = 'published' AND published_at >= '2025' ORDER BY published_at`)).toMatch(/USING (COVERING )?INDEX releases_dataset/);
    const p = (sql: string) => plan(sql.replace(/@afterId/g, "''").replace(/@limit/g, '25').replace(/@enabled/g, '0').replace(/\?/g, "'x'"));
    expect(p(HEALTH_SQL.pageByState)).toMatch(/SEARCH w USING (COVERING )?INDEX webhooks_enabled_id/);
    expect(p(HEALTH_SQL.pageAll)).toMatch(/SEARCH w USING INDEX sqlite_autoindex_webhooks_1 \(id>\?\)/);
    expect(p(HEALTH_SQL.pageAll)).not.toMatch(/TEMP B-TREE/);
    expect(p(HEALTH_SQL.pageAll)).toMatch(/SEARCH a USING INDEX sqlite_autoindex_accounts_1/);
    for (const q of [HEALTH_SQL.countSince, HEALTH_SQL.count, HEALTH_SQL.last]) expect(p(q)).toMatch(/USING COVERING INDEX webhook_deliveries_health/);
    expect(p(HEALTH_SQL.lastRetrying)).toMatch(/USING INDEX webhook_deliveries_health/);
    expect(p(HEALTH_SQL.recent)).toMatch(/USING INDEX webhook_deliveries_hook/);
    expect(p(HEALTH_SQL.lastAttempt)).toMatch(/SEARCH webhook_attempts USING INDEX sqlite_autoindex_webhook_attempts_1 \(delivery_id=\?\)/);
  });
});
