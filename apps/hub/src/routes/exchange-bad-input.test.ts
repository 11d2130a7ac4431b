import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signManifest } from '@dme/core/manifest';
import { ErrorBodySchema } from '@dme/core/protocol';
import { call } from '../../test/harness.js';
import { createDataset, dump, encrypt, makeExchangeHub, manifestFor, upload } from '../../test/exchange-fixture.js';
import type { ExchangeHub, Party } from '../../test/exchange-fixture.js';

/**
 * Every bad request answers 4xx with the protocol's error body and leaves the
 * database exactly as it was (a full dump of every table compared before and
 * after). One release is started and uploaded but not completed, so the
 * completion checks run against real stored bytes.
 */
describe('bad input changes nothing', () => {
  let hub: ExchangeHub;
  let producer: Party;
  let consumer: Party;
  let ds: string;
  let other: string;
  let releaseId: string;
  let target: string;
  let enc: Awaited<ReturnType<typeof encrypt>>;
  const plain = new TextEncoder().encode('id,n\n1,2\n3,4\n');

  beforeAll(async () => {
    hub = await makeExchangeHub();
    producer = await hub.party('p', ['DATA_PRODUCER']);
    consumer = await hub.party('c', ['DATA_CONSUMER']);
    ds = await createDataset(hub, producer, 'main');
    other = await createDataset(hub, producer, 'other');
    enc = await encrypt(plain);
    const start = await call(hub, 'POST', `/v1/producer/datasets/${ds}/releases`, { token: producer.token, body: { payloadSize: enc.payload.length } });
    releaseId = start.body.release.id;
    target = start.body.target.url;
  });
  afterAll(async () => hub.done());

  async function manifest(over: Partial<ReturnType<typeof manifestFor>> = {}) {
    const m = { ...manifestFor(ds, releaseId, { size: enc.payload.length, sha256: enc.result.payloadSha256 }, { size: plain.length, sha256: enc.result.plaintextSha256 }, producer.signingPublicKey), ...over };
    return signManifest(m, producer.signingKey);
  }
  const grants = () => [{ recipientAccountId: producer.id, recipient: producer.recipient, header: enc.header(producer.recipient) }];

  async function expectRefused(status: number, code: string, req: () => Promise<{ status: number; body: unknown }>) {
    const before = dump(hub);
    const res = await req();
    expect(res.status).toBe(status);
    const body = ErrorBodySchema.parse(res.body);
    expect(body.error.code).toBe(code);
    expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.ts:\d+/);
    expect(dump(hub)).toBe(before);
  }
  const complete = (body: unknown) => call(hub, 'POST', `/v1/producer/releases/${releaseId}/complete`, { token: producer.token, body });

  it('rejects malformed JSON, wrong types and oversized bodies', async () => {
    await expectRefused(400, 'BAD_REQUEST', () => call(hub, 'POST', '/v1/producer/datasets', { token: producer.token, raw: '{"name": "x",' }));
    await expectRefused(400, 'VALIDATION_FAILED', () => call(hub, 'POST', '/v1/producer/datasets', { token: producer.token, body: { name: 5, slug: 'Bad Slug', format: 'xls' } }));
    await expectRefused(400, 'VALIDATION_FAILED', () => call(hub, 'POST', `/v1/producer/datasets/${ds}/releases`, { token: producer.token, body: { payloadSize: -1 } }));
    await expectRefused(400, 'VALIDATION_FAILED', () => call(hub, 'POST', '/v1/consumer/subscribe', { token: consumer.token, body: { datasetId: 'has space' } }));
    await expectRefused(400, 'VALIDATION_FAILED', () => call(hub, 'GET', '/v1/marketplace/datasets?limit=100000'));
    await expectRefused(413, 'PAYLOAD_TOO_LARGE', () => call(hub, 'POST', '/v1/producer/datasets', { token: producer.token, body: { name: 'x', slug: 'big', format: 'csv', description: 'y'.repeat(64 * 1024) } }));
  });

  it('answers 404 for unknown ids', async () => {
    await expectRefused(404, 'NOT_FOUND', () => call(hub, 'PUT', '/v1/producer/datasets/ds_unknown', { token: producer.token, body: { name: 'n' } }));
    await expectRefused(404, 'NOT_FOUND', async () => call(hub, 'POST', '/v1/producer/releases/rel_unknown/complete', { token: producer.token, body: { manifest: await manifest(), grants: grants() } }));
    await expectRefused(404, 'NOT_FOUND', () => call(hub, 'POST', '/v1/producer/approve', { token: producer.token, body: { subscriptionId: 'sub_unknown' } }));
    await expectRefused(404, 'NOT_FOUND', () => call(hub, 'POST', '/v1/consumer/subscribe', { token: consumer.token, body: { datasetId: 'ds_unknown' } }));
    await expectRefused(404, 'NOT_FOUND', () => call(hub, 'GET', '/v1/marketplace/dataset/ds_unknown'));
  });

  it('refuses a truncated upload at completion', async () => {
    const half = Math.floor(enc.payload.length / 2);
    const res = await hub.app.request(target, { method: 'PUT', body: enc.payload.slice(0, half), headers: { 'content-range': `bytes 0-${half - 1}/${enc.payload.length}` } });
    expect(res.status).toBe(200);
    await expectRefused(422, 'INTEGRITY_FAILED', async () => complete({ manifest: await manifest(), grants: grants() }));
  });

  it('refuses bad signatures, another dataset\'s manifest, wrong sizes and bad grants', async () => {
    expect(await upload(hub, target, enc.payload)).toBe(200);
    const good = await manifest();
    const forged = { ...good, signature: good.signature.slice(0, -2) + (good.signature.endsWith('AA') ? 'BA' : 'AA') };
    await expectRefused(422, 'INTEGRITY_FAILED', () => complete({ manifest: forged, grants: grants() }));
    await expectRefused(422, 'INTEGRITY_FAILED', async () => complete({ manifest: await manifest({ datasetId: other }), grants: grants() }));
    await expectRefused(422, 'INTEGRITY_FAILED', async () => complete({ manifest: await manifest({ payloadSize: enc.payload.length + 1 }), grants: grants() }));
    await expectRefused(400, 'VALIDATION_FAILED', async () => complete({ manifest: good, grants: [{ recipientAccountId: consumer.id, recipient: consumer.recipient, header: enc.header(consumer.recipient) }] }));
    const twoStanzas = Buffer.from(Buffer.from(enc.header(producer.recipient), 'base64').toString('latin1').replace('\n---', `\n-> X25519 ${'A'.repeat(43)}\n${'A'.repeat(43)}\n---`), 'latin1').toString('base64');
    await expectRefused(400, 'VALIDATION_FAILED', () => complete({ manifest: good, grants: [{ ...grants()[0]!, header: twoStanzas }] }));
    await expectRefused(400, 'VALIDATION_FAILED', () => complete({ manifest: good, grants: [{ ...grants()[0]!, recipient: consumer.recipient }] }));
  });

  it('refuses a wrong checksum, discards the bytes, and the release can be retried', async () => {
    await expectRefused(422, 'INTEGRITY_FAILED', async () => complete({ manifest: await manifest({ payloadSha256: 'f'.repeat(64) }), grants: grants() }));
    // The bad bytes are gone; a new target starts a fresh upload, and completion then succeeds.
    const renewed = await call(hub, 'POST', `/v1/producer/releases/${releaseId}/upload-target`, { token: producer.token });
    expect(renewed.status).toBe(200);
    expect(await upload(hub, renewed.body.target.url, enc.payload)).toBe(200);
    const ok = await complete({ manifest: await manifest(), grants: grants() });
    expect(ok.status).toBe(200);
    await expectRefused(409, 'CONFLICT', async () => complete({ manifest: await manifest(), grants: grants() }));
  });

  it('refuses forged and expired blob URLs', async () => {
    const before = dump(hub);
    const key = `${producer.id}/${ds}/${releaseId}`;
    const base = 'http://127.0.0.1:8787/v1/blob';
    const good = await hub.blobs.signer.signUrl(base, 'GET', key);
    const forged = good.url.replace(/([?&]sig=)([^&]{4})/, (_m, p: string, s: string) => p + (s === 'AAAA' ? 'BBBB' : 'AAAA'));
    const expired = await hub.blobs.signer.signUrl(base, 'GET', key, { now: Date.now() - 3600_000 });
    const otherKey = good.url.replace(releaseId, 'rel_someoneelse');
    for (const url of [forged, expired.url, otherKey]) {
      const res = await hub.app.request(url);
      expect(res.status).toBe(403);
      expect((await res.json()) as unknown).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    }
    const put = await hub.app.request(good.url, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(403);
    expect((await hub.app.request(good.url)).status).toBe(200);
    expect(dump(hub)).toBe(before);
  });
});
