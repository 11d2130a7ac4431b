import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseEvent } from '@dme/core/protocol';
import { createDataset, makeExchangeHub } from '../../test/exchange-fixture.js';
import type { ExchangeHub, Party } from '../../test/exchange-fixture.js';
import { call, testConfig } from '../../test/harness.js';
import { independentlyVerify, startReceiver } from '../../test/webhook-receiver.js';
import type { Receiver } from '../../test/webhook-receiver.js';
import { eventRuntime } from '../events/runtime.js';
import { nodeWebhookSender } from '../node/webhook-sender.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { Store } from '../store/types.js';
import { MAX_ATTEMPTS, RETRY_DELAYS_SEC } from './schedule.js';
import { createWebhookWorker } from './worker.js';

let hub: ExchangeHub;
let receiver: Receiver | undefined;
let producer: Party;
let consumer: Party;
let datasetId: string;

beforeEach(async () => {
  hub = await makeExchangeHub();
  // The development-mode hub: loopback receivers allowed.
  hub.deps.config = { ...testConfig, devMode: true };
  producer = await hub.party('prod', ['DATA_PRODUCER']);
  consumer = await hub.party('cons', ['DATA_CONSUMER']);
  // No admin route sets tiers yet; the account row is the tier's only home.
  hub.store.db.prepare(`UPDATE accounts SET tier = 'PROFESSIONAL' WHERE id = ?`).run(consumer.id);
  datasetId = await createDataset(hub, producer, `ds-${Date.now()}`);
  // The clock jumps hours ahead; access tokens would expire, an API key does not.
  const key = await call(hub, 'POST', '/v1/auth/api-keys', { token: consumer.token, body: { name: 'test', scopes: ['consumer'] } });
  expect(key.status).toBe(201);
  consumer = { ...consumer, token: key.body.key };
});

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  await hub.done();
});

function worker(store: Store = hub.store, devMode = true) {
  return createWebhookWorker({
    store,
    clock: hub.clock,
    ids: hub.deps.ids,
    sender: nodeWebhookSender({ devMode }),
    notifier: eventRuntime(store).notifier,
    devMode,
    random: () => 0.5, // jitter factor exactly 1
    timeoutMs: 2000,
  });
}

async function setWebhook(url: string): Promise<string> {
  const r = await call(hub, 'PUT', '/v1/consumer/webhook', { token: consumer.token, body: { url } });
  expect(r.status).toBe(200);
  expect(r.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  return r.body.secret as string;
}

/** The consumer asks to subscribe: one SUBSCRIPTION_REQUESTED event scoped to the consumer. */
async function subscribe(): Promise<void> {
  const r = await call(hub, 'POST', '/v1/consumer/subscribe', { token: consumer.token, body: { datasetId } });
  expect(r.status).toBe(201);
}

async function log() {
  const r = await call(hub, 'GET', '/v1/consumer/webhook/deliveries', { token: consumer.token });
  expect(r.status).toBe(200);
  return r.body.items as any[];
}

describe('webhook delivery worker', () => {
  it('retries on the documented schedule until the receiver recovers; every attempt is signed per Standard Webhooks', async () => {
    receiver = await startReceiver([500, 500, 503, 200]);
    const secret = await setWebhook(receiver.url);
    await subscribe();
    const w = worker();
    const t0 = hub.clock.now().getTime();

    await w.tick();
    expect(receiver.received).toHaveLength(1);
    let [d] = await log();
    expect(d.status).toBe('pending');
    expect(Date.parse(d.nextAttemptAt) - t0).toBe(RETRY_DELAYS_SEC[0]! * 1000);

    // Not due yet: nothing is sent.
    hub.clock.advance(RETRY_DELAYS_SEC[0]! - 1);
    await w.tick();
    expect(receiver.received).toHaveLength(1);

    hub.clock.advance(1);
    await w.tick();
    expect(receiver.received).toHaveLength(2);
    [d] = await log();
    expect(Date.parse(d.nextAttemptAt) - hub.clock.now().getTime()).toBe(RETRY_DELAYS_SEC[1]! * 1000);

    hub.clock.advance(RETRY_DELAYS_SEC[1]!);
    await w.tick();
    hub.clock.advance(RETRY_DELAYS_SEC[2]!);
    await w.tick();
    expect(receiver.received).toHaveLength(4);

    [d] = await log();
    expect(d.status).toBe('succeeded');
    expect(d.type).toBe('SUBSCRIPTION_REQUESTED');
    expect(d.attempts.map((a: any) => [a.attempt, a.ok, a.responseCode])).toEqual([
      [1, false, 500],
      [2, false, 500],
      [3, false, 503],
      [4, true, 200],
    ]);
    for (const a of d.attempts) expect(a.latencyMs).toBeGreaterThanOrEqual(0);

    // Same message id on every attempt (receivers de-duplicate by it), each signature valid.
    const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    expect([...ids]).toEqual([d.eventId]);
    for (const r of receiver.received) {
      expect(independentlyVerify(secret, r.headers, r.body)).toBe(true);
      expect(independentlyVerify(secret, r.headers, r.body.replace('SUBSCRIPTION', 'SUBSCRIPTIoN'))).toBe(false);
      expect(parseEvent(JSON.parse(r.body))).toMatchObject({ id: d.eventId, type: 'SUBSCRIPTION_REQUESTED', data: { consumerId: consumer.id, datasetId } });
    }
    expect(independentlyVerify(`whsec_${Buffer.alloc(24, 7).toString('base64')}`, receiver.received[0]!.headers, receiver.received[0]!.body)).toBe(false);
    const cfg = await call(hub, 'GET', '/v1/consumer/webhook', { token: consumer.token });
    expect(cfg.body).toMatchObject({ enabled: true, consecutiveFailures: 0 });
    expect(cfg.body.secret).toBeUndefined();
  });

  it('disables the webhook when the schedule is exhausted and tells the consumer with WEBHOOK_DISABLED', async () => {
    receiver = await startReceiver([500]);
    await setWebhook(receiver.url);
    await subscribe();
    const w = worker();
    await w.tick();
    for (const delay of RETRY_DELAYS_SEC) {
      hub.clock.advance(delay);
      await w.tick();
    }
    expect(receiver.received).toHaveLength(MAX_ATTEMPTS);
    const [d] = await log();
    expect(d.status).toBe('failed');
    expect(d.attempts).toHaveLength(MAX_ATTEMPTS);

    const cfg = await call(hub, 'GET', '/v1/consumer/webhook', { token: consumer.token });
    expect(cfg.body.enabled).toBe(false);
    expect(cfg.body.disabledReason).toContain(`failed ${MAX_ATTEMPTS} attempts`);

    const events = await hub.store.events.list(0, 100);
    const disabled = events.filter((e) => e.type === 'WEBHOOK_DISABLED');
    expect(disabled).toHaveLength(1);
    expect(disabled[0]!.accountId).toBe(consumer.id);
    expect(parseEvent({ id: String(disabled[0]!.id), type: disabled[0]!.type, createdAt: disabled[0]!.createdAt, data: disabled[0]!.payload })).toMatchObject({
      data: { url: receiver.url, failureCount: MAX_ATTEMPTS, lastError: 'HTTP 500' },
    });

    // Disabled: later events queue nothing, and nothing more is sent.
    await call(hub, 'POST', '/v1/consumer/cancel', { token: consumer.token, body: { subscriptionId: (await hub.store.subscriptions.listByConsumer(consumer.id))[0]!.id } });
    hub.clock.advance(3600);
    await w.tick();
    expect(receiver.received).toHaveLength(MAX_ATTEMPTS);
    expect(await log()).toHaveLength(1);
    expect((await call(hub, 'POST', '/v1/consumer/webhook/test', { token: consumer.token })).body.error.code).toBe('INVALID_STATE');
  });

  it('keeps pending deliveries across a restart of the store', async () => {
    receiver = await startReceiver([502, 200]);
    const secret = await setWebhook(receiver.url);
    await subscribe();
    await worker().tick();
    expect(receiver.received).toHaveLength(1);
    await hub.store.close();

    const reopened = openSqliteStore(`${hub.dir}/hub.db`);
    try {
      const w2 = worker(reopened);
      await w2.tick();
      expect(receiver.received).toHaveLength(1); // not due yet
      hub.clock.advance(RETRY_DELAYS_SEC[0]!);
      await w2.tick();
      expect(receiver.received).toHaveLength(2);
      expect(independentlyVerify(secret, receiver.received[1]!.headers, receiver.received[1]!.body)).toBe(true);
      const hook = await reopened.webhooks.getByAccount(consumer.id);
      const [d] = await reopened.webhooks.listDeliveries(hook!.id, 10);
      expect(d!.status).toBe('succeeded');
      expect(d!.log.map((a) => a.responseCode)).toEqual([502, 200]);
    } finally {
      await reopened.close();
    }
  });

  it('sends test pings and redeliveries with the original webhook-id', async () => {
    receiver = await startReceiver([200]);
    const secret = await setWebhook(receiver.url);
    await subscribe();
    const w = worker();
    await w.tick();
    const ping = await call(hub, 'POST', '/v1/consumer/webhook/test', { token: consumer.token });
    expect(ping.status).toBe(202);
    expect(ping.body).toMatchObject({ type: 'PING', eventId: null, status: 'pending' });
    await w.tick();
    const [first] = (await log()).filter((d) => d.type === 'SUBSCRIPTION_REQUESTED');
    const re = await call(hub, 'POST', `/v1/consumer/webhook/deliveries/${first.id}/redeliver`, { token: consumer.token });
    expect(re.status).toBe(202);
    expect(re.body.redeliveryOf).toBe(first.id);
    await w.tick();

    expect(receiver.received.map((r) => JSON.parse(r.body).type)).toEqual(['SUBSCRIPTION_REQUESTED', 'PING', 'SUBSCRIPTION_REQUESTED']);
    expect(receiver.received[2]!.headers['webhook-id']).toBe(receiver.received[0]!.headers['webhook-id']);
    expect(receiver.received[1]!.headers['webhook-id']).toBe(ping.body.messageId);
    for (const r of receiver.received) expect(independentlyVerify(secret, r.headers, r.body)).toBe(true);
    expect((await log()).every((d) => d.status === 'succeeded')).toBe(true);
    expect((await call(hub, 'POST', '/v1/consumer/webhook/deliveries/whd_nope/redeliver', { token: consumer.token })).status).toBe(404);
  });

  it('refuses at delivery a loopback target stored in development mode once the hub runs without it', async () => {
    receiver = await startReceiver([200]);
    await setWebhook(receiver.url);
    await subscribe();
    await worker(hub.store, false).tick();
    expect(receiver.received).toHaveLength(0);
    const [d] = await log();
    expect(d.attempts[0]).toMatchObject({ ok: false, responseCode: null });
    expect(d.attempts[0].error).toMatch(/refused/);
  });
});
