/**
 * The admin webhook API against a real hub, a real SQLite store, the real
 * delivery worker and a real HTTP receiver on 127.0.0.1: a webhook fails
 * until the worker disables it; the admin sees its health figures, re-enables
 * it (audited), and it receives the next event. Roles other than ADMIN are
 * refused and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataset, makeExchangeHub } from '../../test/exchange-fixture.js';
import type { ExchangeHub, Party } from '../../test/exchange-fixture.js';
import { call, testConfig } from '../../test/harness.js';
import { startReceiver } from '../../test/webhook-receiver.js';
import type { Receiver } from '../../test/webhook-receiver.js';
import { eventRuntime } from '../events/runtime.js';
import { nodeWebhookSender } from '../node/webhook-sender.js';
import { MAX_ATTEMPTS, RETRY_DELAYS_SEC } from '../webhooks/schedule.js';
import { createWebhookWorker } from '../webhooks/worker.js';
import type { WebhookWorker } from '../webhooks/worker.js';
import { AdminWebhookPageSchema } from './admin-webhooks.js';

let hub: ExchangeHub;
let receiver: Receiver;
let consumer: Party;
let producer: Party;
let worker: WebhookWorker;
let datasetId: string;
let datasetId2: string;
let webhookId: string;

const adminToken = async (): Promise<string> => {
  // Signed in after the clock jumps: access tokens of earlier logins have expired by then.
  const admin = await hub.party(`admin-${Math.random().toString(36).slice(2, 8)}`, []);
  await hub.store.accounts.addFeature(admin.id, 'ADMIN', hub.clock.now().toISOString());
  return admin.token;
};

beforeAll(async () => {
  hub = await makeExchangeHub();
  hub.deps.config = { ...testConfig, devMode: true };
  producer = await hub.party('wh-prod', ['DATA_PRODUCER']);
  consumer = await hub.party('wh-cons', ['DATA_CONSUMER']);
  hub.store.db.prepare(`UPDATE accounts SET tier = 'PROFESSIONAL' WHERE id = ?`).run(consumer.id);
  datasetId = await createDataset(hub, producer, 'wh-data');
  datasetId2 = await createDataset(hub, producer, 'wh-data-2');
  // The clock jumps a day ahead; access tokens would expire, API keys do not.
  const pkey = await call(hub, 'POST', '/v1/auth/api-keys', { token: producer.token, body: { name: 't', scopes: ['producer'] } });
  producer = { ...producer, token: pkey.body.key };
  const key = await call(hub, 'POST', '/v1/auth/api-keys', { token: consumer.token, body: { name: 't', scopes: ['consumer'] } });
  consumer = { ...consumer, token: key.body.key };
  receiver = await startReceiver([500]);
  const put = await call(hub, 'PUT', '/v1/consumer/webhook', { token: consumer.token, body: { url: receiver.url } });
  expect(put.status).toBe(200);
  webhookId = put.body.webhook.id;
  worker = createWebhookWorker({
    store: hub.store,
    clock: hub.clock,
    ids: hub.deps.ids,
    sender: nodeWebhookSender({ devMode: true }),
    notifier: eventRuntime(hub.store).notifier,
    devMode: true,
    random: () => 0.5,
    timeoutMs: 2000,
  });
  // One event, every retry fails: the worker disables the webhook.
  expect((await call(hub, 'POST', '/v1/consumer/subscribe', { token: consumer.token, body: { datasetId } })).status).toBe(201);
  await worker.tick();
  for (const delay of RETRY_DELAYS_SEC) {
    hub.clock.advance(delay);
    await worker.tick();
  }
  expect(receiver.received).toHaveLength(MAX_ATTEMPTS);
});

afterAll(async () => {
  await worker.stop();
  await receiver.close();
  await hub.done();
});

describe('GET /v1/admin/webhooks', () => {
  it('shows a disabled webhook with its failures, last failure and newest deliveries; never the secret', async () => {
    const token = await adminToken();
    const res = await call(hub, 'GET', '/v1/admin/webhooks?enabled=false', { token });
    expect(res.status).toBe(200);
    const page = AdminWebhookPageSchema.parse(res.body);
    expect(page.items.map((w) => w.id)).toEqual([webhookId]);
    const [w] = page.items;
    expect(w).toMatchObject({ accountId: consumer.id, accountEmail: (await hub.store.accounts.getById(consumer.id))!.email, enabled: false, consecutiveFailures: MAX_ATTEMPTS, url: receiver.url });
    expect(w!.disabledReason).toMatch(/.+/);
    expect(w!.health).toMatchObject({ windowDays: 30, failedDeliveries: 1, succeededDeliveries: 0, pendingDeliveries: 0, lastSuccessAt: null });
    expect(w!.health.lastFailureAt).toBe(hub.clock.now().toISOString());
    expect(w!.recentDeliveries).toHaveLength(1);
    expect(w!.recentDeliveries[0]).toMatchObject({ type: 'SUBSCRIPTION_REQUESTED', status: 'failed', attempts: MAX_ATTEMPTS, lastAttempt: { attempt: MAX_ATTEMPTS, ok: false, responseCode: 500 } });
    expect(JSON.stringify(res.body)).not.toContain('whsec_');
    expect((await call(hub, 'GET', '/v1/admin/webhooks?enabled=true', { token })).body.items).toEqual([]);
    expect((await call(hub, 'GET', '/v1/admin/webhooks?enabled=maybe', { token })).body.error.code).toBe('VALIDATION_FAILED');
  });

  it('refuses every other role, and they change nothing', async () => {
    for (const token of [undefined, consumer.token, producer.token]) {
      const list = await call(hub, 'GET', '/v1/admin/webhooks', token ? { token } : {});
      const enable = await call(hub, 'POST', `/v1/admin/webhooks/${webhookId}/enable`, token ? { token } : {});
      expect([list.status, enable.status]).toEqual(token ? [403, 403] : [401, 401]);
    }
    expect((await hub.store.webhooks.getByAccount(consumer.id))!.enabled).toBe(false);
  });
});

describe('POST /v1/admin/webhooks/{id}/enable', () => {
  it('re-enables the webhook (audited): failures cleared, the next event is delivered', async () => {
    const token = await adminToken();
    expect((await call(hub, 'POST', '/v1/admin/webhooks/whk_nope/enable', { token })).body.error.code).toBe('NOT_FOUND');
    const res = await call(hub, 'POST', `/v1/admin/webhooks/${webhookId}/enable`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: webhookId, accountId: consumer.id, enabled: true, consecutiveFailures: 0, disabledReason: null });
    const again = await call(hub, 'POST', `/v1/admin/webhooks/${webhookId}/enable`, { token });
    expect([again.status, again.body.error.code]).toEqual([409, 'INVALID_STATE']);
    const audit = hub.store.db.prepare(`SELECT actor, subject FROM audit_log WHERE action = 'admin.webhook.enable'`).all();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ subject: webhookId });

    // The receiver recovers; a new event reaches it, the old failed one is not replayed.
    receiver.script.splice(0, receiver.script.length, 200);
    const before = receiver.received.length;
    expect((await call(hub, 'POST', '/v1/consumer/subscribe', { token: consumer.token, body: { datasetId: datasetId2 } })).status).toBe(201);
    await worker.tick();
    expect(receiver.received.length - before).toBe(1);
    expect(JSON.parse(receiver.received.at(-1)!.body).data.datasetId).toBe(datasetId2);
    const [w] = AdminWebhookPageSchema.parse((await call(hub, 'GET', '/v1/admin/webhooks', { token })).body).items;
    expect(w!.health).toMatchObject({ failedDeliveries: 1, succeededDeliveries: 1, lastSuccessAt: hub.clock.now().toISOString() });
    expect(w!.recentDeliveries.map((d) => d.status)).toEqual(['succeeded', 'failed']);
  });
});
