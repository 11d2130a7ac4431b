import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountKeysSchema, AccountSchema } from '@dme/core/protocol';
import { fingerprint } from '@dme/core/manifest';
import { call, makeHub, signup } from '../../test/harness.js';
import type { TestHub } from '../../test/harness.js';

let hub: TestHub;
beforeEach(() => {
  hub = makeHub();
});
afterEach(async () => {
  await hub.cleanup();
});

/** A real recipient from the real age-keygen, and a real Ed25519 public key. */
function realKeys() {
  const out = execFileSync('age-keygen', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const ageRecipient = /# public key: (age1[0-9a-z]+)/.exec(out)![1]!;
  const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
  return { ageRecipient, signingPublicKey: `ed25519:${jwk.x}` };
}

describe('profile', () => {
  it('gets and updates the profile; null clears organization', async () => {
    const s = await signup(hub);
    hub.clock.advance(5);
    const put = await call(hub, 'PUT', '/v1/account/profile', { token: s.accessToken, body: { displayName: 'Acme Data', organization: 'Acme' } });
    expect(put.status).toBe(200);
    const acc = AccountSchema.parse(put.body);
    expect(acc.displayName).toBe('Acme Data');
    expect(acc.organization).toBe('Acme');
    expect(acc.updatedAt).not.toBe(acc.createdAt);
    const cleared = await call(hub, 'PUT', '/v1/account/profile', { token: s.accessToken, body: { organization: null } });
    expect(cleared.body.organization).toBeUndefined();
    expect((await call(hub, 'GET', '/v1/account/profile', { token: s.accessToken })).body.displayName).toBe('Acme Data');
  });

  it('refuses unknown fields and wrong types with details', async () => {
    const s = await signup(hub);
    const extra = await call(hub, 'PUT', '/v1/account/profile', { token: s.accessToken, body: { email: 'x@y.z' } });
    expect(extra.status).toBe(400);
    expect(extra.body.error.code).toBe('VALIDATION_FAILED');
    const wrong = await call(hub, 'PUT', '/v1/account/profile', { token: s.accessToken, body: { displayName: 42 } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details.issues[0].path).toEqual(['displayName']);
  });
});

describe('enable-feature', () => {
  it('enables producer and consumer idempotently', async () => {
    const s = await signup(hub);
    await call(hub, 'POST', '/v1/account/enable-feature', { token: s.accessToken, body: { feature: 'DATA_PRODUCER' } });
    await call(hub, 'POST', '/v1/account/enable-feature', { token: s.accessToken, body: { feature: 'DATA_PRODUCER' } });
    const res = await call(hub, 'POST', '/v1/account/enable-feature', { token: s.accessToken, body: { feature: 'DATA_CONSUMER' } });
    expect(res.status).toBe(200);
    expect(res.body.features).toEqual(['DATA_CONSUMER', 'DATA_PRODUCER']);
  });

  it('ADMIN cannot be self-enabled (403), unknown features are 400', async () => {
    const s = await signup(hub);
    const admin = await call(hub, 'POST', '/v1/account/enable-feature', { token: s.accessToken, body: { feature: 'ADMIN' } });
    expect(admin.status).toBe(403);
    expect(admin.body.error.code).toBe('FORBIDDEN');
    expect((await call(hub, 'GET', '/v1/account/profile', { token: s.accessToken })).body.features).toEqual([]);
    expect((await call(hub, 'POST', '/v1/account/enable-feature', { token: s.accessToken, body: { feature: 'ROOT' } })).status).toBe(400);
  });
});

describe('public keys', () => {
  it('registers keys, returns fingerprints, and shows them to other accounts', async () => {
    const a = await signup(hub);
    const b = await signup(hub);
    const empty = await call(hub, 'GET', '/v1/account/keys', { token: a.accessToken });
    expect(empty.body).toMatchObject({ ageRecipient: null, signingPublicKey: null, updatedAt: null });

    const keys = realKeys();
    const put = await call(hub, 'PUT', '/v1/account/keys', { token: a.accessToken, body: keys });
    expect(put.status).toBe(200);
    const view = AccountKeysSchema.parse(put.body);
    expect(view.ageRecipientFingerprint).toBe(fingerprint(keys.ageRecipient));
    expect(view.signingPublicKeyFingerprint).toBe(fingerprint(keys.signingPublicKey));

    const seen = await call(hub, 'GET', `/v1/accounts/${a.account.id}/keys`, { token: b.accessToken });
    expect(seen.status).toBe(200);
    expect(seen.body).toEqual(put.body);
    expect(JSON.stringify(seen.body)).not.toContain('@example.com');
  });

  it('refuses malformed keys, unknown accounts and anonymous callers', async () => {
    const a = await signup(hub);
    const good = realKeys();
    for (const body of [
      { ...good, ageRecipient: good.ageRecipient.toUpperCase() },
      { ...good, ageRecipient: 'age1notakey' },
      { ...good, signingPublicKey: 'ed25519:short' },
      { ageRecipient: good.ageRecipient },
    ]) {
      const res = await call(hub, 'PUT', '/v1/account/keys', { token: a.accessToken, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await call(hub, 'GET', '/v1/accounts/acc_nope/keys', { token: a.accessToken })).status).toBe(404);
    expect((await call(hub, 'GET', '/v1/accounts/bad%20id/keys', { token: a.accessToken })).status).toBe(400);
    expect((await call(hub, 'GET', `/v1/accounts/${a.account.id}/keys`)).status).toBe(401);
  });
});
