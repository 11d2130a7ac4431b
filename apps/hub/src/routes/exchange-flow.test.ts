import { describe, expect, it } from 'vitest';
import { call } from '../../test/harness.js';
import { createDataset, makeExchangeHub, publish, pullWithAgeCli, rewrap } from '../../test/exchange-fixture.js';
import { verifyAuditChain } from '../audit/chain.js';

const csv = new TextEncoder().encode('number,carrier\n+12025550100,acme\n+12025550101,acme\n+12025550102,zeta\n');

describe('publish → subscribe → approve → download', () => {
  it('delivers byte-identical plaintext to an approved subscriber, and nothing to others', async () => {
    const hub = await makeExchangeHub();
    try {
      const producer = await hub.party('producer', ['DATA_PRODUCER']);
      const alice = await hub.party('alice', ['DATA_CONSUMER']);
      const bob = await hub.party('bob', ['DATA_CONSUMER']);
      const ds = await createDataset(hub, producer, 'us-numbers');

      // A release before anyone subscribes: only the producer's grant.
      const first = await publish(hub, producer, ds, csv, []);
      expect(first.status).toBe(200);
      expect(first.body.release.status).toBe('published');
      expect(first.body.grants).toBe(1);
      hub.clock.advance(300);

      // The catalog shows it, with no subscription for alice.
      const cat = await call(hub, 'GET', '/v1/consumer/catalog', { token: alice.token });
      expect(cat.status).toBe(200);
      const entry = cat.body.items.find((i: { dataset: { id: string } }) => i.dataset.id === ds);
      expect(entry.subscription).toBeNull();
      expect(entry.lastRelease.id).toBe(first.releaseId);

      const sub = await call(hub, 'POST', '/v1/consumer/subscribe', { token: alice.token, body: { datasetId: ds } });
      expect(sub.status).toBe(201);
      expect(sub.body.status).toBe('pending');
      // Pending: no access yet.
      expect((await call(hub, 'GET', `/v1/consumer/download/${first.releaseId}`, { token: alice.token })).status).toBe(403);

      // Approve without grants: approved, the history release is owed.
      const approved = await call(hub, 'POST', '/v1/producer/approve', { token: producer.token, body: { subscriptionId: sub.body.id } });
      expect(approved.status).toBe(200);
      expect(approved.body.subscription.status).toBe('approved');
      expect(approved.body.pendingGrants).toBe(1);
      const pending = await call(hub, 'GET', '/v1/producer/pending-grants', { token: producer.token });
      expect(pending.body.items).toEqual([expect.objectContaining({ subscriptionId: sub.body.id, releaseId: first.releaseId, recipient: alice.recipient })]);

      // A release while alice is approved: the producer's client includes her grant.
      const second = await publish(hub, producer, ds, csv, [alice]);
      expect(second.status).toBe(200);
      expect(second.body.grants).toBe(2);
      hub.clock.advance(300);

      // Still approved (history grant for the first release outstanding): no download.
      expect((await call(hub, 'GET', `/v1/consumer/download/${second.releaseId}`, { token: alice.token })).status).toBe(403);

      const subs = await call(hub, 'GET', '/v1/producer/subscribers?status=approved', { token: producer.token });
      expect(subs.body.items).toHaveLength(1);
      expect(subs.body.items[0].consumer.ageRecipient).toBe(alice.recipient);

      // Bob never subscribed: 403 on data of a known dataset, 404 on the unknown.
      expect((await call(hub, 'GET', `/v1/consumer/download/${second.releaseId}`, { token: bob.token })).status).toBe(403);
      expect((await call(hub, 'GET', `/v1/consumer/datasets/${ds}/releases`, { token: bob.token })).status).toBe(403);
      expect((await call(hub, 'GET', '/v1/consumer/download/rel_doesnotexist', { token: bob.token })).status).toBe(404);
      // The producer's client fulfils the history grant: alice becomes active.
      const fulfil = await call(hub, 'POST', '/v1/producer/grants', { token: producer.token, body: { grants: [await rewrap(hub, producer, first.releaseId, alice)] } });
      expect(fulfil.status).toBe(200);
      expect(fulfil.body).toEqual({ stored: 1, activated: [sub.body.id] });
      expect((await call(hub, 'GET', '/v1/producer/pending-grants', { token: producer.token })).body.items).toEqual([]);

      // Alice pulls both releases and the real age CLI decrypts them to the original bytes.
      for (const rel of [first, second]) {
        const pulled = await pullWithAgeCli(hub, alice, rel.releaseId);
        expect(pulled.status).toBe(200);
        expect(pulled.plaintext!.equals(Buffer.from(csv))).toBe(true);
        expect(pulled.body.manifest.manifest.releaseId).toBe(rel.releaseId);
      }
      const listed = await call(hub, 'GET', `/v1/consumer/datasets/${ds}/releases`, { token: alice.token });
      expect(listed.body.items.map((r: { id: string }) => r.id)).toEqual([second.releaseId, first.releaseId]);
      const usage = await call(hub, 'GET', '/v1/usage', { token: alice.token });
      expect(usage.body.items).toHaveLength(2);
      expect(usage.body.items[0]).toMatchObject({ kind: 'download', bytes: second.payload.length });

      // Suspension: grants deleted, a new release is not readable by alice (even if a client still wrapped for her).
      const suspended = await call(hub, 'POST', '/v1/producer/suspend', { token: producer.token, body: { subscriptionId: sub.body.id, reason: 'unpaid' } });
      expect(suspended.body.subscription.status).toBe('suspended');
      const third = await publish(hub, producer, ds, csv, [alice]);
      expect(third.status).toBe(200);
      expect(third.body.grants).toBe(1);
      expect((await pullWithAgeCli(hub, alice, third.releaseId)).status).toBe(403);
      expect((await pullWithAgeCli(hub, alice, first.releaseId)).status).toBe(403);
      expect(hub.store.db.prepare('SELECT count(*) AS n FROM grants WHERE account_id = ?').get(alice.id)).toEqual({ n: 0 });

      // The outbox holds one DATA_PUBLISHED per release, in order.
      const events = await hub.store.events.list(0, 100);
      expect(events.filter((e) => e.type === 'DATA_PUBLISHED').map((e) => e.payload.releaseId)).toEqual([first.releaseId, second.releaseId, third.releaseId]);

      // Every change is in the audit chain, and it verifies.
      const verdict = await verifyAuditChain(hub.store);
      expect(verdict.ok).toBe(true);
      expect(verdict.entries).toBeGreaterThanOrEqual(10);
      await hub.done();
    } catch (err) {
      await hub.done();
      throw err;
    }
  });
});
