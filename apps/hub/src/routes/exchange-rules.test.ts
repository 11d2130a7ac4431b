import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { call } from '../../test/harness.js';
import { createDataset, makeExchangeHub, publish, rewrap } from '../../test/exchange-fixture.js';
import type { ExchangeHub, Party } from '../../test/exchange-fixture.js';

async function apiKey(hub: ExchangeHub, p: Party, scope: 'producer' | 'consumer'): Promise<Party> {
  const r = await call(hub, 'POST', '/v1/auth/api-keys', { token: p.token, body: { name: 'k', scopes: [scope] } });
  expect(r.status).toBe(201);
  return { ...p, token: r.body.key as string };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('exchange rules', () => {
  it("enforces the tier's subscription count", async () => {
    const hub = await makeExchangeHub();
    try {
      const producer = await hub.party('p', ['DATA_PRODUCER']);
      const consumer = await hub.party('c', ['DATA_CONSUMER']);
      const a = await createDataset(hub, producer, 'a');
      const b = await createDataset(hub, producer, 'b');
      const first = await call(hub, 'POST', '/v1/consumer/subscribe', { token: consumer.token, body: { datasetId: a } });
      expect(first.status).toBe(201);
      const second = await call(hub, 'POST', '/v1/consumer/subscribe', { token: consumer.token, body: { datasetId: b } });
      expect(second.status).toBe(403);
      expect(second.body.error).toMatchObject({ code: 'TIER_LIMIT', details: { tier: 'STARTER', maxSubscriptions: 1 } });
      expect((await call(hub, 'DELETE', `/v1/consumer/unsubscribe/${first.body.id}`, { token: consumer.token })).status).toBe(200);
      expect((await call(hub, 'POST', '/v1/consumer/subscribe', { token: consumer.token, body: { datasetId: b } })).status).toBe(201);
    } finally {
      await hub.done();
    }
  });

  it("grants and serves only the tier's history window", async () => {
    const hub = await makeExchangeHub();
    try {
      const producer = await apiKey(hub, await hub.party('p', ['DATA_PRODUCER']), 'producer');
      const consumer = await apiKey(hub, await hub.party('c', ['DATA_CONSUMER']), 'consumer');
      const ds = await createDataset(hub, producer, 'history');
      const old = await publish(hub, producer, ds, new TextEncoder().encode('old\n'), []);
      hub.clock.advance(120 * 86_400); // four months: outside STARTER's 3-month history
      const recent = await publish(hub, producer, ds, new TextEncoder().encode('new\n'), []);
      const sub = await call(hub, 'POST', '/v1/consumer/subscribe', { token: consumer.token, body: { datasetId: ds } });
      const approved = await call(hub, 'POST', '/v1/producer/approve', { token: producer.token, body: { subscriptionId: sub.body.id } });
      expect(approved.body).toMatchObject({ subscription: { status: 'approved' }, pendingGrants: 1 });
      const pending = await call(hub, 'GET', '/v1/producer/pending-grants', { token: producer.token });
      expect(pending.body.items.map((g: { releaseId: string }) => g.releaseId)).toEqual([recent.releaseId]);

      const tooOld = await call(hub, 'POST', '/v1/producer/grants', { token: producer.token, body: { grants: [await rewrap(hub, producer, old.releaseId, consumer)] } });
      expect(tooOld.status).toBe(403);
      expect(tooOld.body.error.code).toBe('TIER_LIMIT');
      const ok = await call(hub, 'POST', '/v1/producer/grants', { token: producer.token, body: { grants: [await rewrap(hub, producer, recent.releaseId, consumer)] } });
      expect(ok.body.activated).toEqual([sub.body.id]);

      const listed = await call(hub, 'GET', `/v1/consumer/datasets/${ds}/releases`, { token: consumer.token });
      expect(listed.body.items.map((r: { id: string }) => r.id)).toEqual([recent.releaseId]);
      expect((await call(hub, 'GET', `/v1/consumer/download/${recent.releaseId}`, { token: consumer.token })).status).toBe(200);
      const denied = await call(hub, 'GET', `/v1/consumer/download/${old.releaseId}`, { token: consumer.token });
      expect(denied.status).toBe(403);
      expect(denied.body.error.code).toBe('TIER_LIMIT');
    } finally {
      await hub.done();
    }
  });

  it('lists only published datasets in the marketplace', async () => {
    const hub = await makeExchangeHub();
    try {
      const producer = await hub.party('p', ['DATA_PRODUCER']);
      const listed = await createDataset(hub, producer, 'phone-numbers');
      const draft = await createDataset(hub, producer, 'secret-draft', 'DRAFT');
      const archived = await createDataset(hub, producer, 'old-numbers');
      expect((await call(hub, 'POST', `/v1/producer/datasets/${archived}/archive`, { token: producer.token })).status).toBe(200);
      const all = await call(hub, 'GET', '/v1/marketplace/datasets');
      expect(all.body.items.map((l: { dataset: { id: string } }) => l.dataset.id)).toEqual([listed]);
      expect((await call(hub, 'GET', `/v1/marketplace/dataset/${draft}`)).status).toBe(404);
      expect((await call(hub, 'GET', `/v1/marketplace/dataset/${archived}`)).status).toBe(404);
      expect((await call(hub, 'GET', '/v1/marketplace/datasets?q=phone')).body.items).toHaveLength(1);
      expect((await call(hub, 'GET', '/v1/marketplace/datasets?q=%25')).body.items).toHaveLength(0);
      const page = await call(hub, 'GET', '/v1/marketplace/datasets?limit=1');
      expect(page.body.nextCursor).toBe(listed);
    } finally {
      await hub.done();
    }
  });

  it('keeps no plaintext, file key or identity secret in the database or blob store', async () => {
    const hub = await makeExchangeHub();
    try {
      const producer = await hub.party('p', ['DATA_PRODUCER']);
      const consumer = await hub.party('c', ['DATA_CONSUMER']);
      const ds = await createDataset(hub, producer, 'zk');
      const secretText = 'MARKER-0123456789,+12025550199,confidential';
      const plain = new TextEncoder().encode(`${secretText}\n`.repeat(200));
      const published = await publish(hub, producer, ds, plain, [consumer]);
      expect(published.status).toBe(200);
      const files = [...filesUnder(hub.dir), ...filesUnder(hub.blobDir)];
      expect(files.some((f) => f.endsWith('hub.db'))).toBe(true);
      const needles = [Buffer.from(secretText), Buffer.from(producer.identity), Buffer.from(consumer.identity), Buffer.from(producer.signingKey), Buffer.from(published.fileKey), Buffer.from(Buffer.from(published.fileKey).toString('base64'))];
      for (const f of files) {
        const bytes = readFileSync(f);
        for (const n of needles) expect(bytes.includes(n), `${f} holds a secret`).toBe(false);
      }
    } finally {
      await hub.done();
    }
  });
});
