import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { generateSigningKey } from './ed25519.js';
import { ManifestError, canonicalJson, checkMeasured, isManifestValid, signManifest, verifyManifest, type Manifest } from './manifest.js';

async function fixture() {
  const keys = await generateSigningKey();
  const manifest: Manifest = {
    v: 1,
    datasetId: 'ds_1',
    releaseId: 'rel_1',
    payloadSize: 1234,
    payloadSha256: createHash('sha256').update('payload').digest('hex'),
    plaintextSize: 1000,
    plaintextSha256: createHash('sha256').update('plain').digest('hex'),
    recordCount: 42,
    schemaVersion: 'v1',
    createdAt: '2025-02-01T00:00:00.000Z',
    producerKey: keys.publicKey,
  };
  return { keys, manifest, signed: await signManifest(manifest, keys.secretKey) };
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code units, recursively, without whitespace', () => {
    // U+E000 sorts after U+1F600's high surrogate (0xD83D) in UTF-16, though before it in code points.
    const value = { b: 1, a: { d: [3, 'x'], c: 'y' }, '\u{1F600}': 0, '\uE000': 0, A: -0 };
    expect(canonicalJson(value)).toBe('{"A":0,"a":{"c":"y","d":[3,"x"]},"b":1,"\u{1F600}":0,"\uE000":0}');
  });

  it('escapes strings as RFC 8785 does', () => {
    expect(canonicalJson({ s: 'q"b\\\n\t\u0001é€' })).toBe('{"s":"q\\"b\\\\\\n\\t\\u0001é€"}');
  });

  it.each([
    ['a float', { n: 1.5 }],
    ['an unsafe integer', { n: 2 ** 53 }],
    ['NaN', { n: Number.NaN }],
    ['Infinity', { n: Number.POSITIVE_INFINITY }],
    ['a boolean', { b: true }],
    ['null', { z: null }],
    ['undefined', { u: undefined }],
    ['a bigint', { i: 1n }],
    ['a Date', { d: new Date(0) }],
    ['a lone surrogate', { s: 'a\uD800b' }],
  ])('refuses %s', (_name, value) => {
    const err = caught(() => canonicalJson(value));
    expect(err).toBeInstanceOf(ManifestError);
    expect((err as ManifestError).code).toBe('NOT_CANONICAL');
  });
});

describe('signManifest / verifyManifest', () => {
  it('verifies what it signed, with and without the expected key', async () => {
    const { keys, manifest, signed } = await fixture();
    expect(signed.signature).toMatch(/^ed25519:[A-Za-z0-9_-]{86}$/);
    await expect(verifyManifest(signed, keys.publicKey)).resolves.toEqual(manifest);
    await expect(verifyManifest(JSON.parse(JSON.stringify(signed)))).resolves.toEqual(manifest);
    expect(await isManifestValid(signed, keys.publicKey)).toBe(true);
  });

  it('fails when any single field is changed', async () => {
    const { keys, manifest, signed } = await fixture();
    const changed: { [K in keyof Manifest]: Manifest[K] } = {
      v: 1,
      datasetId: 'ds_2',
      releaseId: 'rel_2',
      payloadSize: 1235,
      payloadSha256: 'f'.repeat(64),
      plaintextSize: 1001,
      plaintextSha256: 'e'.repeat(64),
      recordCount: 43,
      schemaVersion: 'v2',
      createdAt: '2025-02-01T00:00:01.000Z',
      producerKey: (await generateSigningKey()).publicKey,
    };
    const fields = (Object.keys(manifest) as (keyof Manifest)[]).filter((k) => k !== 'v');
    expect(fields).toHaveLength(10);
    for (const field of fields) {
      const tampered = { ...signed, manifest: { ...manifest, [field]: changed[field] } };
      expect(await isManifestValid(tampered), field).toBe(false);
      const err = await verifyManifest(tampered).catch((e: unknown) => e);
      expect((err as ManifestError).code, field).toBe('BAD_SIGNATURE');
    }
    expect(await isManifestValid({ ...signed, manifest: { ...manifest, v: 2 } }, keys.publicKey)).toBe(false);
  });

  it('fails with a tampered signature or the wrong expected key', async () => {
    const { signed } = await fixture();
    const sig = signed.signature;
    const flipped = sig.slice(0, 20) + (sig[20] === 'A' ? 'B' : 'A') + sig.slice(21);
    await expect(verifyManifest({ ...signed, signature: flipped })).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
    const other = await generateSigningKey();
    await expect(verifyManifest(signed, other.publicKey)).rejects.toMatchObject({ code: 'KEY_MISMATCH' });
    // A manifest re-signed by another key, claiming that key, still fails against the expected producer key.
    const forged = await signManifest({ ...signed.manifest, producerKey: other.publicKey }, other.secretKey);
    await expect(verifyManifest(forged, signed.manifest.producerKey)).rejects.toMatchObject({ code: 'KEY_MISMATCH' });
  });

  it('rejects malformed input with MALFORMED, never a crash', async () => {
    const { manifest, signed } = await fixture();
    for (const bad of [null, 'x', {}, { manifest }, { ...signed, signature: 'abc' }, { ...signed, manifest: { ...manifest, recordCount: -1 } }]) {
      await expect(verifyManifest(bad)).rejects.toMatchObject({ name: 'ManifestError', code: 'MALFORMED' });
    }
  });

  it('refuses to sign with a key that is not producerKey, or a bad key', async () => {
    const { manifest } = await fixture();
    const other = await generateSigningKey();
    await expect(signManifest(manifest, other.secretKey)).rejects.toMatchObject({ code: 'KEY_MISMATCH' });
    await expect(signManifest(manifest, 'not a key')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(signManifest({ ...manifest, recordCount: 0.5 }, other.secretKey)).rejects.toMatchObject({ code: 'MALFORMED' });
  });
});

describe('checkMeasured', () => {
  it('accepts matching measurements and rejects size or digest mismatches', async () => {
    const { manifest } = await fixture();
    expect(() => checkMeasured(manifest, 'payload', { size: 1234, sha256: manifest.payloadSha256 })).not.toThrow();
    expect(() => checkMeasured(manifest, 'plaintext', { size: 1000, sha256: manifest.plaintextSha256.toUpperCase() })).not.toThrow();
    expect(caught(() => checkMeasured(manifest, 'payload', { size: 1233, sha256: manifest.payloadSha256 }))).toMatchObject({ code: 'PAYLOAD_MISMATCH' });
    expect(caught(() => checkMeasured(manifest, 'plaintext', { size: 1000, sha256: manifest.payloadSha256 }))).toMatchObject({ code: 'PLAINTEXT_MISMATCH' });
  });
});
