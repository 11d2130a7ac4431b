import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DmeEvent } from '@dme/core/protocol';
import { events } from '../../../../packages/core/src/sdk/events.js';
import type { CursorStore } from '../../../../packages/core/src/sdk/events.js';
import { age, createDataset, publish } from '../../test/exchange-fixture.js';
import type { ExchangeHub, Party } from '../../test/exchange-fixture.js';
import { call, signup } from '../../test/harness.js';
import type { TestHub } from '../../test/harness.js';
import { startHub } from '../node/hub.js';
import type { RunningHub } from '../node/hub.js';
import type { HubSettings } from '../node/settings.js';

const signing = (await import(new URL('../../../../packages/core/src/crypto/ed25519.ts', import.meta.url).href)) as {
  generateSigningKey(): Promise<{ publicKey: string; secretKey: string }>;
};

const csv = new TextEncoder().encode('number,carrier\n+12025550100,acme\n');
const dataDir = mkdtempSync(join(tmpdir(), 'dme-events-'));
const env = { DME_HUB_EVENTS_HEARTBEAT_MS: '150' };
let settings: HubSettings;
let running: RunningHub;
let producer: Party;
let alice: Party;
let bob: Party;
let datasetId: string;
let otherDataset: string;

/** The fixture's helpers go through `hub.app.request`: the real server's app, same store and notifier. */
const hubOf = (r: RunningHub) => ({ app: r.hub.app, deps: r.hub.deps, store: r.hub.store }) as unknown as ExchangeHub & TestHub;

async function party(name: string, features: string[]): Promise<Party> {
  const hub = hubOf(running);
  const s = await signup(hub, `${name}-${Date.now()}`);
  for (const feature of features) expect((await call(hub, 'POST', '/v1/account/enable-feature', { token: s.accessToken, body: { feature } })).status).toBe(200);
  const { identity, recipient } = age.generateIdentity();
  const keys = await signing.generateSigningKey();
  expect((await call(hub, 'PUT', '/v1/account/keys', { token: s.accessToken, body: { ageRecipient: recipient, signingPublicKey: keys.publicKey } })).status).toBe(200);
  // API keys: valid across the hub restart below without a refresh dance.
  const key = await call(hub, 'POST', '/v1/auth/api-keys', { token: s.accessToken, body: { name: 'events', scopes: features.map((f) => (f === 'DATA_PRODUCER' ? 'producer' : 'consumer')) } });
  return { id: s.account.id, token: key.body.key, identity, recipient, signingKey: keys.secretKey, signingPublicKey: keys.publicKey };
}

async function release(recipients: Party[] = [alice]): Promise<string> {
  const p = await publish(hubOf(running), producer, datasetId, csv, recipients);
  expect(p.status).toBe(200);
  return p.releaseId;
}

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  for (let waited = 0; !cond(); waited += 20) {
    if (waited > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function memoryCursor(): CursorStore & { value: string | undefined } {
  const c = { value: undefined as string | undefined, load: async () => c.value, save: async (id: string) => void (c.value = id) };
  return c;
}

function follow(who: Party, cursorStore?: CursorStore) {
  const got: DmeEvent[] = [];
  const ctl = new AbortController();
  const done = (async () => {
    for await (const e of events({ baseUrl: running.url, credential: who.token }, { cursorStore, signal: ctl.signal, backoffMs: 50, maxBackoffMs: 200 })) got.push(e);
  })();
  return { got, stop: async () => (ctl.abort(), await done) };
}

/** What the log holds that `who` may see, as ids (the expected stream). */
async function visibleIds(who: Party): Promise<string[]> {
  const all = await running.hub.store.events.list(0, 10_000);
  return all
    .filter((e) => e.accountId === who.id || (e.type === 'DATA_PUBLISHED' && e.datasetId === datasetId && who === alice))
    .map((e) => String(e.id));
}

beforeAll(async () => {
  settings = { host: '127.0.0.1', port: 0, dataDir, publicUrl: undefined, blob: 'local', passwordIterations: 1000, devMode: true, firstAdmin: undefined };
  running = await startHub(settings, env);
  producer = await party('producer', ['DATA_PRODUCER']);
  alice = await party('alice', ['DATA_CONSUMER']);
  bob = await party('bob', ['DATA_CONSUMER']);
  const hub = hubOf(running);
  datasetId = await createDataset(hub, producer, `ev-${Date.now()}`);
  otherDataset = await createDataset(hub, producer, `ev2-${Date.now()}`);
  const sub = await call(hub, 'POST', '/v1/consumer/subscribe', { token: alice.token, body: { datasetId } });
  expect(sub.status).toBe(201);
  const ok = await call(hub, 'POST', '/v1/producer/approve', { token: producer.token, body: { subscriptionId: sub.body.id } });
  expect(ok.status).toBe(200);
});

afterAll(async () => {
  await running.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('GET /v1/events', () => {
  it('a following client retries a transport failure but stops at once when its fetch function refuses', async () => {
    const calls: string[] = [];
    const flaky: typeof fetch = async () => {
      calls.push('flaky');
      if (calls.length < 3) throw new TypeError('fetch failed');
      throw new Error('the session for this hub has ended; run `dme login`');
    };
    const ctl = new AbortController();
    const iterate = async (): Promise<void> => {
      for await (const e of events({ baseUrl: running.url, credential: alice.token, fetch: flaky }, { signal: ctl.signal, backoffMs: 10, maxBackoffMs: 20 })) void e;
    };
    const timer = setTimeout(() => ctl.abort(), 5000);
    await expect(iterate()).rejects.toThrow(/^the session for this hub has ended/);
    clearTimeout(timer);
    expect(calls).toHaveLength(3); // two transport failures retried, the refusal not
  });

  it('authenticates by header only, validates the cursor, and sends heartbeats', async () => {
    expect((await fetch(`${running.url}/v1/events`)).status).toBe(401);
    expect((await fetch(`${running.url}/v1/events?access_token=${alice.token}`)).status).toBe(401);
    const bad = await fetch(`${running.url}/v1/events`, { headers: { authorization: `Bearer ${alice.token}`, 'last-event-id': 'abc' } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('VALIDATION_FAILED');

    const ctl = new AbortController();
    const res = await fetch(`${running.url}/v1/events?after=999999`, { headers: { authorization: `Bearer ${alice.token}` }, signal: ctl.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    for (let i = 0; i < 20 && !text.includes(': heartbeat'); i++) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain(': heartbeat');
    ctl.abort();
  });

  it('resumes after a client disconnect with every event exactly once, in order; the unsubscribed consumer sees none of the dataset', async () => {
    const cursor = memoryCursor();
    await release();
    await release();
    const first = follow(alice, cursor);
    await until('two releases', () => first.got.filter((e) => e.type === 'DATA_PUBLISHED').length === 2);
    await first.stop();
    const seenFirst = first.got.map((e) => e.id);
    expect(cursor.value).toBe(seenFirst.at(-1));

    // While alice is away: two more releases.
    await release();
    await release();
    const second = follow(alice, cursor);
    await until('four releases', () => [...first.got, ...second.got].filter((e) => e.type === 'DATA_PUBLISHED').length === 4);
    await second.stop();

    const ids = [...first.got, ...second.got].map((e) => e.id);
    expect(ids).toEqual(await visibleIds(alice));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) expect(Number(ids[i])).toBeGreaterThan(Number(ids[i - 1]));
    expect(first.got.map((e) => e.type).slice(0, 2)).toEqual(['SUBSCRIPTION_REQUESTED', 'SUBSCRIPTION_APPROVED']);

    // Bob: his own event arrives, nothing of alice's dataset before or after it.
    const b = follow(bob);
    expect((await call(hubOf(running), 'POST', '/v1/consumer/subscribe', { token: bob.token, body: { datasetId: otherDataset } })).status).toBe(201);
    await until("bob's own event", () => b.got.length >= 1);
    await release();
    await new Promise((r) => setTimeout(r, 300));
    await b.stop();
    expect(b.got.map((e) => e.type)).toEqual(['SUBSCRIPTION_REQUESTED']);
    expect(b.got.every((e) => !('datasetId' in e.data) || e.data.datasetId !== datasetId)).toBe(true);

    // The producer sees its datasets' subscription events (alice's and bob's) and its own releases.
    const p = follow(producer);
    await until('producer backlog', () => p.got.filter((e) => e.type === 'DATA_PUBLISHED').length === 5);
    await p.stop();
    const subscriptionEvents = (await running.hub.store.events.list(0, 10_000)).filter((e) => e.type.startsWith('SUBSCRIPTION_') && e.payload.producerId === producer.id);
    expect(p.got.filter((e) => e.type.startsWith('SUBSCRIPTION_')).map((e) => e.id)).toEqual(subscriptionEvents.map((e) => String(e.id)));
    expect(new Set(subscriptionEvents.map((e) => e.payload.consumerId))).toEqual(new Set([alice.id, bob.id]));
  });

  it('a following client survives a hub restart: reconnects by itself, no loss, no duplicate, order kept', async () => {
    const cursor = memoryCursor();
    const live = follow(alice, cursor);
    const before = (await visibleIds(alice)).length;
    await until('backlog', () => live.got.length === before);
    await release();
    await until('live release', () => live.got.length === before + 1);

    const port = Number(new URL(running.url).port);
    await running.close();
    running = await startHub({ ...settings, port }, env);
    // Published right after the restart, while the client is still backing off.
    await release();
    await release();
    await until('releases after restart', () => live.got.length === before + 3, 10_000);
    await live.stop();

    const ids = live.got.map((e) => e.id);
    expect(ids).toEqual(await visibleIds(alice));
    expect(new Set(ids).size).toBe(ids.length);
    expect(cursor.value).toBe(ids.at(-1));
  });
});
