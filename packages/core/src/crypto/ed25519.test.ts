import { describe, it, expect } from 'vitest';
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import {
  KeyFormatError,
  decodePublicKey,
  decodeSecretKey,
  encodeSecretKey,
  generateSigningKey,
  sign,
  signingPublicKey,
  verify,
} from './ed25519.js';
import { fromHex, toHex, utf8Encode } from './encoding.js';

// RFC 8032 §7.1, TEST 1 (empty message).
const RFC_SEED = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
const RFC_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const RFC_SIG =
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';

describe('ed25519 key strings', () => {
  it('matches RFC 8032 test 1 (public key and deterministic signature)', async () => {
    const secret = encodeSecretKey(RFC_SEED);
    expect(secret).toMatch(/^DME-ED25519-SECRET-1[0-9A-Z]{58}$/);
    const pub = await signingPublicKey(secret);
    expect(toHex(decodePublicKey(pub))).toBe(RFC_PUBLIC);
    const sig = await sign(new Uint8Array(0), secret);
    expect(sig.startsWith('ed25519:')).toBe(true);
    expect(Buffer.from(sig.slice(8), 'base64url').toString('hex')).toBe(RFC_SIG);
    expect(await verify(new Uint8Array(0), sig, pub)).toBe(true);
  });

  it('round-trips a generated key and interoperates with node:crypto', async () => {
    const { publicKey, secretKey } = await generateSigningKey();
    expect(publicKey).toMatch(/^ed25519:[A-Za-z0-9_-]{43}$/);
    expect(await signingPublicKey(secretKey)).toBe(publicKey);
    expect(toHex(decodeSecretKey(secretKey))).toHaveLength(64);

    const msg = utf8Encode('interop');
    const sig = await sign(msg, secretKey);
    const nodePub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.slice(8) }, format: 'jwk' });
    expect(nodeVerify(null, msg, nodePub, Buffer.from(sig.slice(8), 'base64url'))).toBe(true);

    const d = Buffer.from(decodeSecretKey(secretKey)).toString('base64url');
    const nodePriv = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d, x: publicKey.slice(8) }, format: 'jwk' });
    const nodeSig = nodeSign(null, msg, nodePriv).toString('base64url');
    expect(`ed25519:${nodeSig}`).toBe(sig);
  });

  it('verify is false for another message or another key', async () => {
    const a = await generateSigningKey();
    const b = await generateSigningKey();
    const sig = await sign(utf8Encode('m'), a.secretKey);
    expect(await verify(utf8Encode('n'), sig, a.publicKey)).toBe(false);
    expect(await verify(utf8Encode('m'), sig, b.publicKey)).toBe(false);
  });

  it('rejects malformed secret keys with KeyFormatError, without echoing them', () => {
    const good = encodeSecretKey(RFC_SEED);
    const flipped = good.slice(0, -1) + (good.endsWith('Q') ? 'P' : 'Q');
    for (const bad of [good.toLowerCase(), flipped, 'AGE-SECRET-KEY-1QQQQ', '', good.slice(0, 40)]) {
      let caught: unknown;
      try {
        decodeSecretKey(bad);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(KeyFormatError);
      expect((caught as KeyFormatError).code).toBe('INVALID_KEY');
      if (bad.length > 10) expect((caught as Error).message).not.toContain(bad);
    }
  });

  it('rejects malformed public keys and signatures', async () => {
    const { publicKey, secretKey } = await generateSigningKey();
    expect(() => decodePublicKey(publicKey.slice(8))).toThrow(KeyFormatError);
    expect(() => decodePublicKey(publicKey + 'A')).toThrow(KeyFormatError);
    const sig = await sign(utf8Encode('x'), secretKey);
    await expect(verify(utf8Encode('x'), sig.slice(0, -2), publicKey)).rejects.toThrow(KeyFormatError);
    await expect(verify(utf8Encode('x'), sig.replace('ed25519:', 'ed448:'), publicKey)).rejects.toThrow(KeyFormatError);
  });
});
