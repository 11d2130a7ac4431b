/**
 * Seeds a real running hub for the admin page tests: accounts through the
 * HTTP API (signup, features, datasets, a subscription, a webhook pointed at
 * a real 127.0.0.1 receiver that answers 500), and what would take days of
 * wall-clock time through the store: release history for freshness, usage
 * rows, and the webhook's remaining failed attempts up to its disabling
 * (the same store call and audit entry the delivery worker makes).
 */
import { recorder } from '../../src/audit/recorder.js';
import { age, signingKeys } from './keys.js';
import type { RunningHub } from '../../src/node/hub.js';
import { MAX_ATTEMPTS } from '../../src/webhooks/schedule.js';

const DAY = 86_400_000;

export interface Seeded {
  admin: { email: string; password: string };
  producer: { id: string; email: string; password: string };
  consumer: { id: string; email: string; password: string; token: string };
  datasets: { onTime: string; late: string };
  webhookId: string;
}

export async function json(running: RunningHub, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(running.url + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

function expectStatus(r: { status: number; body: unknown }, status: number, what: string): void {
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
}

async function account(running: RunningHub, name: string, feature: 'DATA_PRODUCER' | 'DATA_CONSUMER') {
  const email = `${name}@example.com`;
  const password = `correct horse ${name}`;
  const s = await json(running, 'POST', '/v1/auth/signup', { email, password, displayName: name === 'telco' ? 'Telco Numbers Ltd' : 'Acme Analytics', organization: name === 'telco' ? 'Telco' : 'Acme' });
  expectStatus(s, 201, `signup ${name}`);
  expectStatus(await json(running, 'POST', '/v1/account/enable-feature', { feature }, s.body.accessToken), 200, 'enable feature');
  const keys = { ageRecipient: age.generateIdentity().recipient, signingPublicKey: (await signingKeys()).publicKey };
  expectStatus(await json(running, 'PUT', '/v1/account/keys', keys, s.body.accessToken), 200, 'keys');
  return { id: s.body.account.id as string, email, password, token: s.body.accessToken as string };
}

async function dataset(running: RunningHub, token: string, slug: string, name: string): Promise<string> {
  const d = await json(running, 'POST', '/v1/producer/datasets', { name, slug, format: 'csv', expectedUpdateIntervalSeconds: 86_400 }, token);
  expectStatus(d, 201, 'dataset');
  expectStatus(await json(running, 'PUT', `/v1/producer/datasets/${d.body.id}`, { status: 'PUBLISHED' }, token), 200, 'publish dataset');
  return d.body.id as string;
}

/** Daily releases from `from` days ago to `to` days ago, skipping the days in `skip`. */
function history(running: RunningHub, datasetId: string, producerId: string, from: number, to: number, skip: number[]): void {
  const db = running.hub.store.db;
  const now = Date.now();
  const insert = db.prepare(
    `INSERT INTO releases (id, dataset_id, producer_id, status, payload_size, payload_sha256, blob_key, created_at, published_at)
     VALUES (?, ?, ?, 'published', ?, ?, ?, ?, ?)`,
  );
  const usage = db.prepare(`INSERT INTO usage (account_id, kind, dataset_id, release_id, bytes, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  let last: { id: string; at: string } | null = null;
  db.transaction(() => {
    db.prepare(`UPDATE datasets SET published_at = ? WHERE id = ?`).run(new Date(now - from * DAY - 3_600_000).toISOString(), datasetId);
    for (let day = from; day >= to; day--) {
      if (skip.includes(day)) continue;
      const at = new Date(now - day * DAY).toISOString();
      const id = `rel_${datasetId.slice(-6)}${String(day).padStart(3, '0')}`;
      const size = 1_000_000 + day * 37_000;
      insert.run(id, datasetId, producerId, size, 'ab'.repeat(32), `blobs/${id}`, at, at);
      usage.run(producerId, 'upload', datasetId, id, size, 'ab'.repeat(32), at);
      last = { id, at };
    }
    const l = last as { id: string; at: string } | null;
    if (l) db.prepare(`UPDATE datasets SET last_release_id = ?, last_release_at = ? WHERE id = ?`).run(l.id, l.at, datasetId);
  })();
}

export async function seedHub(running: RunningHub, admin: { email: string; password: string }, receiverUrl: string): Promise<Seeded> {
  const store = running.hub.store;
  const producer = await account(running, 'telco', 'DATA_PRODUCER');
  const consumer = await account(running, 'acme', 'DATA_CONSUMER');
  // Generous tiers, so a quick test run stays inside its rate limits; the consumer needs Professional for webhooks.
  store.db.prepare(`UPDATE accounts SET tier = 'ENTERPRISE' WHERE email IN (?, ?)`).run(admin.email, producer.email);
  store.db.prepare(`UPDATE accounts SET tier = 'PROFESSIONAL' WHERE id = ?`).run(consumer.id);
  for (let i = 0; i < 8; i++) await account(running, `consumer${i}`, 'DATA_CONSUMER');

  const onTime = await dataset(running, producer.token, 'mobile-numbers', 'Mobile number inventory');
  const late = await dataset(running, producer.token, 'ported-numbers', 'Ported numbers');
  history(running, onTime, producer.id, 24, 0, [20, 13]);
  history(running, late, producer.id, 18, 4, [15]);
  const downloads = store.db.prepare(`INSERT INTO usage (account_id, kind, dataset_id, release_id, bytes, sha256, created_at) SELECT ?, 'download', dataset_id, id, payload_size, payload_sha256, published_at FROM releases WHERE dataset_id = ? AND published_at >= ?`);
  downloads.run(consumer.id, onTime, new Date(Date.now() - 10 * DAY).toISOString());
  downloads.run(consumer.id, late, new Date(Date.now() - 30 * DAY).toISOString());
  downloads.run(producer.id, late, new Date(Date.now() - 6 * DAY).toISOString());

  expectStatus(await json(running, 'PUT', '/v1/consumer/webhook', { url: receiverUrl }, consumer.token), 200, 'webhook');
  expectStatus(await json(running, 'POST', '/v1/consumer/subscribe', { datasetId: onTime, message: 'For our routing tables' }, consumer.token), 201, 'subscribe');
  // The hub's own worker makes the first (failing) attempt for real.
  let delivery: any;
  for (let i = 0; i < 100 && !delivery; i++) {
    const log = await json(running, 'GET', '/v1/consumer/webhook/deliveries', undefined, consumer.token);
    delivery = log.body.items.find((d: any) => d.attempts.length > 0);
    if (!delivery) await new Promise((r) => setTimeout(r, 100));
  }
  if (!delivery) throw new Error('the webhook worker made no attempt');
  const webhook = (await store.webhooks.getByAccount(consumer.id))!;
  const audit = recorder(store, running.hub.deps.clock);
  for (let n = 2; n <= MAX_ATTEMPTS; n++) {
    const now = new Date().toISOString();
    const attempt = { attempt: n, time: now, ok: false, latencyMs: 3, responseCode: 500, error: 'HTTP 500' };
    const base = { deliveryId: delivery.id as string, webhookId: webhook.id, attempt };
    if (n < MAX_ATTEMPTS) {
      await store.webhooks.recordAttempt({ ...base, status: 'pending', nextAttemptAt: new Date(Date.now() + DAY).toISOString() }, now);
      continue;
    }
    const reason = `delivery ${delivery.id} failed ${n} attempts; last: HTTP 500`;
    await audit.run({ actor: 'system', action: 'webhook.disable', subject: webhook.id, details: { accountId: consumer.id, deliveryId: delivery.id, attempts: n, lastError: 'HTTP 500' } }, (effects) =>
      store.webhooks.recordAttempt({ ...base, status: 'failed', nextAttemptAt: null, disable: { reason, effects } }, now),
    );
  }
  return { admin, producer, consumer, datasets: { onTime, late }, webhookId: webhook.id };
}
