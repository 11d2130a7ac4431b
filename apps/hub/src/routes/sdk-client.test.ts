import { describe, expect, it } from 'vitest';
import { signManifest } from '@dme/core/manifest';
import { HubClient, HubError } from '@dme/core/sdk/client';
import { age, b64, encrypt, makeExchangeHub, manifestFor, upload } from '../../test/exchange-fixture.js';
import type { ExchangeHub } from '../../test/exchange-fixture.js';

function clientFor(hub: ExchangeHub, credential?: string, fetchImpl?: typeof fetch) {
  const viaApp: typeof fetch = async (input, init) => hub.app.request(input instanceof Request ? input : String(input), init);
  return new HubClient({ baseUrl: 'http://127.0.0.1:8787', fetch: fetchImpl ?? viaApp, credential, sleep: async () => {} });
}

describe('HubClient against the real app', () => {
  it('runs the whole exchange through typed calls, parsing every answer', async () => {
    const hub = await makeExchangeHub();
    try {
      const anon = clientFor(hub);
      const p = await anon.signup({ email: 'prod@example.com', password: 'correct horse battery', displayName: 'Prod' });
      const producer = clientFor(hub, p.accessToken);
      await producer.enableFeature('DATA_PRODUCER');
      const { identity, recipient } = age.generateIdentity();
      const keys = await (await import(new URL('../../../../packages/core/src/crypto/ed25519.ts', import.meta.url).href) as { generateSigningKey(): Promise<{ publicKey: string; secretKey: string }> }).generateSigningKey();
      await producer.putKeys({ ageRecipient: recipient, signingPublicKey: keys.publicKey });
      const key = await producer.createApiKey({ name: 'cron', scopes: ['producer'] });
      const cron = clientFor(hub, key.key);

      const ds = await cron.createDataset({ name: 'US numbers', slug: 'us-numbers', format: 'csv' });
      expect(ds.status).toBe('DRAFT');
      await cron.updateDataset(ds.id, { status: 'PUBLISHED' });
      expect((await cron.listDatasets()).items.map((d) => d.id)).toEqual([ds.id]);
      expect((await cron.uploadConfig()).blob).toBe('local');

      const plain = new TextEncoder().encode('a,b\n1,2\n');
      const enc = await encrypt(plain);
      const started = await cron.startRelease(ds.id, { payloadSize: enc.payload.length });
      expect(started.release.status).toBe('uploading');
      expect(started.target.kind).toBe('single');
      const renewed = await cron.renewUploadTarget(started.release.id);
      expect(await upload(hub, renewed.target.kind === 'single' ? renewed.target.url : '', enc.payload)).toBe(200);
      const manifest = manifestFor(ds.id, started.release.id, { size: enc.payload.length, sha256: enc.result.payloadSha256 }, { size: plain.length, sha256: enc.result.plaintextSha256 }, keys.publicKey, 1);
      const done = await cron.completeRelease(started.release.id, {
        manifest: await signManifest(manifest, keys.secretKey),
        grants: [{ recipientAccountId: p.account.id, recipient, header: enc.header(recipient) }],
      });
      expect(done.release.status).toBe('published');
      expect((await cron.listReleases(ds.id)).items).toHaveLength(1);

      const market = await anon.marketplaceDatasets({ q: 'numbers' });
      expect(market.items.map((l) => l.dataset.id)).toEqual([ds.id]);
      expect((await anon.marketplaceDataset(ds.id)).lastRelease?.id).toBe(started.release.id);
      expect((await anon.providers()).items[0]).toMatchObject({ id: p.account.id, datasetCount: 1 });
      expect((await anon.pricing()).tiers.map((t) => t.tier)).toEqual(['STARTER', 'PROFESSIONAL', 'ENTERPRISE']);

      const c = await anon.signup({ email: 'cons@example.com', password: 'correct horse battery', displayName: 'Cons' });
      const consumer = clientFor(hub, c.accessToken);
      await consumer.enableFeature('DATA_CONSUMER');
      const ck = age.generateIdentity();
      await consumer.putKeys({ ageRecipient: ck.recipient, signingPublicKey: keys.publicKey });
      const sub = await consumer.subscribe({ datasetId: ds.id });
      expect((await consumer.catalog()).items[0]!.subscription).toEqual({ id: sub.id, status: 'pending' });

      // Approve with the history grant, re-wrapped from the producer's own grant.
      const own = await producer.ownGrant(started.release.id);
      const fileKey = age.unwrapFileKey(new Uint8Array(Buffer.from(own.header, 'base64')), [identity]);
      const decision = await producer.approve({
        subscriptionId: sub.id,
        grants: [{ releaseId: started.release.id, recipientAccountId: c.account.id, recipient: ck.recipient, header: b64(age.encodeHeader(fileKey, [ck.recipient])) }],
      });
      expect(decision).toMatchObject({ subscription: { status: 'active' }, pendingGrants: 0 });
      expect((await producer.subscribers('active')).items).toHaveLength(1);
      expect((await producer.pendingGrants()).items).toEqual([]);

      const dl = await consumer.download(started.release.id);
      expect(dl.grant.recipient).toBe(ck.recipient);
      expect((await consumer.datasetReleases(ds.id)).items.map((r) => r.id)).toEqual([started.release.id]);
      expect((await consumer.usage()).items[0]).toMatchObject({ kind: 'download', releaseId: started.release.id });

      // Errors arrive as HubError with the protocol code.
      const err = await consumer.download('rel_missing').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HubError);
      expect(err).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      await expect(consumer.listDatasets()).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });
      await expect(consumer.verifyAudit()).rejects.toMatchObject({ status: 403 });

      const cancelled = await consumer.unsubscribe(sub.id);
      expect(cancelled.status).toBe('cancelled');
      expect((await consumer.subscriptions()).items[0]!.status).toBe('cancelled');
    } finally {
      await hub.done();
    }
  });

  it('retries idempotent calls on network errors and 503, never a POST on a 503, and gives up after its bound', async () => {
    const hub = await makeExchangeHub();
    try {
      const calls: string[] = [];
      let failNext = 0;
      let unavailableNext = 0;
      let refuseNext = false;
      const flaky: typeof fetch = async (input, init) => {
        calls.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
        if (refuseNext) {
          refuseNext = false;
          throw new Error('the session for this hub has ended');
        }
        if (failNext > 0) {
          failNext--;
          throw new TypeError('fetch failed');
        }
        if (unavailableNext > 0) {
          unavailableNext--;
          return new Response(JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'busy' } }), { status: 503, headers: { 'retry-after': '0' } });
        }
        return hub.app.request(String(input), init);
      };
      const client = clientFor(hub, undefined, flaky);

      failNext = 2;
      expect((await client.pricing()).tiers).toHaveLength(3);
      expect(calls).toHaveLength(3);

      calls.length = 0;
      unavailableNext = 1;
      expect((await client.providers()).items).toEqual([]);
      expect(calls).toHaveLength(2);

      calls.length = 0;
      unavailableNext = 1;
      await expect(client.signup({ email: 'x@example.com', password: 'correct horse battery', displayName: 'X' })).rejects.toMatchObject({ status: 503, code: 'UNAVAILABLE' });
      expect(calls).toHaveLength(1);

      calls.length = 0;
      failNext = 10;
      await expect(client.pricing()).rejects.toMatchObject({ status: 0, code: 'NETWORK' });
      expect(calls).toHaveLength(4);

      // An error of the fetch function's own (not fetch's TypeError) is not the network: passed on, not retried.
      calls.length = 0;
      refuseNext = true;
      await expect(client.pricing()).rejects.toThrow(/^the session for this hub has ended$/);
      expect(calls).toHaveLength(1);
    } finally {
      await hub.done();
    }
  });
});
