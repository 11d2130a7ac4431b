/**
 * The desktop engine against a real hub on 127.0.0.1 (port 0, temp dirs,
 * keychain off, the real core sync engine): sign-up makes and registers the
 * identity; publishing reports real byte progress; an approval made in the
 * running app writes history grants and the consumer imports by itself; an
 * approval made elsewhere is fulfilled by the periodic pass; a Starter
 * consumer's webhook is shown as unavailable, not as an error.
 * The steps share one hub and run in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubClient } from '@dme/core/sdk/client';
import { startHub, type RunningHub } from '../../../hub/src/node/hub.js';
import type { DesktopEvent } from '../shared/events.js';
import type { DatasetDetail, IdentityView, MyDataset, QueueItem, ReleaseView, SessionStatus, SubscriberView, SubscriptionView, SyncState, WebhookView } from '../shared/models.js';
import { createDesktopEngine, type DesktopEngine } from './index.js';
import { settleWithin } from '../../test/e2e/settle.js';

const PASSWORD = 'correct horse battery';
const HEADER = 'e164,carrier,state,updated_at';
const ROWS = 3_000;
/** How often the producer's engine fulfils pending grants here (the app's default is 30 s). */
const GRANTS_EVERY_MS = 500;
const WAIT_MS = 20_000;

let dir: string;
let hub: RunningHub;
const engines: DesktopEngine[] = [];

async function engineFor(name: string, grantsEveryMs = 0): Promise<DesktopEngine> {
  const home = join(dir, name);
  await mkdir(home);
  const env = { ...process.env, DME_HOME: home, DME_KEYCHAIN: 'off', DME_HUB_URL: hub.url };
  const engine = await createDesktopEngine({ home, env, grantsEveryMs, checkResults: true, log: () => undefined });
  engines.push(engine);
  return engine;
}

async function call<T>(engine: DesktopEngine, method: string, args: unknown): Promise<T> {
  const r = await engine.call(method, args);
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

/** Resolves with the first event that matches; fails after `ms`. */
function nextEvent<E extends DesktopEvent>(engine: DesktopEngine, match: (e: DesktopEvent) => e is E, ms = WAIT_MS): Promise<E> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching event within ${ms} ms`));
    }, ms);
    const off = engine.on((e) => {
      if (!match(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

async function hubAs(email: string): Promise<HubClient> {
  // Retries ride out the Starter tier's 10 requests/s, which the running engines share.
  const client = new HubClient({ baseUrl: hub.url });
  client.setCredential((await client.login({ email, password: PASSWORD })).accessToken);
  return client;
}

const signUp = (engine: DesktopEngine, email: string, displayName: string, producer: boolean) =>
  call<SessionStatus>(engine, 'session.signUp', { email, password: PASSWORD, displayName, producer, consumer: !producer });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dme-engine-hub-'));
  hub = await startHub({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'hub'), publicUrl: undefined, blob: 'local', passwordIterations: 1_000, devMode: false, firstAdmin: undefined }, {});
});
// Closing engines and the hub hung once under the full suite's load (see the issue note).
afterAll(async () => {
  for (const e of engines) await settleWithin(e.close(), 10_000, 'an engine did not close');
  await settleWithin(hub?.close() ?? Promise.resolve(), 10_000, 'the hub did not close');
  await rm(dir, { recursive: true, force: true });
}, 30_000);

describe('desktop engine against a real hub', () => {
  let producer: DesktopEngine;
  let dataset: MyDataset;
  let release: ReleaseView;
  let csv: string;

  it('sign-up creates this machine’s identity and registers its public keys on the hub', async () => {
    producer = await engineFor('producer', GRANTS_EVERY_MS);
    const status = await signUp(producer, 'ops@acme.test', 'Acme Telecom', true);
    expect(status.signedIn).toBe(true);
    expect(status.identity?.registered).toBe(true);
    const id = await call<IdentityView>(producer, 'identity.show', {});
    expect(id.recipient).toMatch(/^age1[0-9a-z]+$/);
    // Keychain off: an encrypted key file, with a warning the user sees.
    expect(id.storage).toBe('file');
    expect(id.warning).toBeTruthy();
    const keys = await (await hubAs('ops@acme.test')).keys();
    expect(keys.ageRecipient).toBe(id.recipient);
    expect(keys.signingPublicKey).toBe(id.signingKey);
  });

  it('publishes through the queue with byte progress, and a finished item reports the payload bytes', async () => {
    dataset = await call<MyDataset>(producer, 'publish.createDataset', { name: 'US numbers', format: 'csv', expectedUpdateIntervalSeconds: 86_400 });
    csv = join(dir, 'numbers.csv');
    const lines = Array.from({ length: ROWS }, (_, i) => `+1202555${String(i).padStart(4, '0')},Acme Wireless,DC,2025-01-01T00:00:00Z`);
    await writeFile(csv, `${HEADER}\n${lines.join('\n')}\n`);
    const fileSize = (await stat(csv)).size;

    const states: QueueItem['state'][] = [];
    const transfers: Array<{ bytesDone: number; bytesTotal: number; done: boolean }> = [];
    const off = producer.on((e) => {
      if (e.type === 'publish.queue' && e.items[0] && states.at(-1) !== e.items[0].state) states.push(e.items[0].state);
      if (e.type === 'transfer' && e.direction === 'upload') transfers.push(e);
    });
    const finished = nextEvent(producer, (e): e is Extract<DesktopEvent, { type: 'publish.queue' }> => e.type === 'publish.queue' && e.items.some((i) => i.state === 'done' || i.state === 'failed'));
    await call(producer, 'publish.files', { datasetId: dataset.id, files: [{ kind: 'path', path: csv }] });
    const item = (await finished).items[0]!;
    off();

    expect(item.error).toBeUndefined();
    // A publisher-only account has nothing to receive, and the sync line says so.
    expect((await call<SyncState>(producer, 'sync.state', {})).status).toBe('receive-off');
    expect(item.state).toBe('done');
    expect(item.recordCount).toBe(ROWS);
    expect(states).toEqual(['queued', 'profiling', 'uploading', 'completing', 'done']);
    const history = await call<{ items: ReleaseView[] }>(producer, 'publish.history', { datasetId: dataset.id });
    release = history.items[0]!;
    expect(release.recordCount).toBe(ROWS);
    // The payload is the age encryption of the file: a little larger than it.
    expect(release.sizeBytes).toBeGreaterThan(fileSize);
    expect(item.bytesTotal).toBe(release.sizeBytes);
    expect(item.bytesDone).toBe(release.sizeBytes);
    expect(transfers.at(-1)).toMatchObject({ bytesDone: release.sizeBytes, bytesTotal: release.sizeBytes, done: true });
    expect(transfers.every((t) => t.bytesTotal === release.sizeBytes && t.bytesDone <= t.bytesTotal)).toBe(true);

  });

  it('an approval in the running app writes history grants; the consumer imports by itself; Starter webhooks are shown as unavailable', async () => {
    const consumer = await engineFor('consumer');
    await signUp(consumer, 'data@buyer.test', 'Buyer Inc', false);
    const hook = await call<WebhookView>(consumer, 'settings.webhookGet', {});
    expect(hook).toMatchObject({ available: false, url: null });
    expect(hook.unavailable).toMatch(/Professional tier.*Starter/);

    const before = await call<DatasetDetail>(consumer, 'catalog.detail', { datasetId: dataset.id });
    expect(before.columnsFrom).toBe('none'); // not subscribed: the hub shows it no release
    const sub = await call<SubscriptionView>(consumer, 'catalog.subscribe', { datasetId: dataset.id });
    expect(sub.state).toBe('pending');

    const { items } = await call<{ items: SubscriberView[] }>(producer, 'subscribers.list', {});
    const request = items.find((s) => s.id === sub.id);
    expect(request?.state).toBe('pending');
    const imported = nextEvent(consumer, (e): e is Extract<DesktopEvent, { type: 'imported' }> => e.type === 'imported');
    const approved = await call<SubscriberView>(producer, 'subscribers.approve', { subscriptionId: sub.id });
    expect(approved.state).toBe('active');
    expect(approved.grantsWritten).toBe(1);

    const { arrival } = await imported;
    expect(arrival).toMatchObject({ datasetId: dataset.id, releaseId: release.id, rows: ROWS, producer: 'Acme Telecom' });
    const page = await call<{ total: number; rows: unknown[][] }>(consumer, 'data.page', { table: arrival.table, offset: 0, limit: 5, orderBy: 'e164', desc: true });
    expect(page.total).toBe(ROWS);
    expect(page.rows[0]?.[0]).toBe(`+1202555${String(ROWS - 1).padStart(4, '0')}`);
    // The dataset declared no columns: once subscribed, its detail shows the release's profiled schema.
    const after = await call<DatasetDetail>(consumer, 'catalog.detail', { datasetId: dataset.id });
    expect(after.columnsFrom).toBe('release');
    expect(after.columns.map((c) => c.name)).toEqual(HEADER.split(','));
    expect(after.columns.find((c) => c.name === 'e164')?.type).toBe('phone_e164');
  });

  it('a subscription approved without grants gets them from the periodic fulfilment', async () => {
    const second = await engineFor('second');
    const status = await signUp(second, 'ops@other.test', 'Other Co', false);
    const sub = await call<SubscriptionView>(second, 'catalog.subscribe', { datasetId: dataset.id });
    const changed = nextEvent(producer, (e): e is Extract<DesktopEvent, { type: 'subscribers.changed' }> => e.type === 'subscribers.changed');
    // Approved through the API, where no producer key is at hand: history grants stay pending.
    const producerApi = await hubAs('ops@acme.test');
    const decision = await producerApi.approve({ subscriptionId: sub.id });
    expect(decision.pendingGrants).toBe(1);

    // The engine says so once its periodic pass stored them (within a few intervals, not 30 s).
    const t0 = Date.now();
    await changed;
    expect(Date.now() - t0).toBeLessThan(10 * GRANTS_EVERY_MS);
    expect((await producerApi.pendingGrants()).items).toEqual([]);
    const download = await (await hubAs('ops@other.test')).download(release.id);
    expect(download.grant.recipient).toBe(status.identity?.recipient);
  });
});
