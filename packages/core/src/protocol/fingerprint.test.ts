import { describe, it, expect } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { KeyFormatError, fingerprint, sha256 } from './fingerprint.js';

describe('sha256', () => {
  it('matches node:crypto at every length around the block and padding boundaries', () => {
    for (let len = 0; len <= 200; len++) {
      const data = randomBytes(len);
      expect(Buffer.from(sha256(data)).toString('hex'), `length ${len}`).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });

  it('matches the FIPS 180-2 "abc" vector', () => {
    expect(Buffer.from(sha256(new TextEncoder().encode('abc'))).toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe('fingerprint', () => {
  it('is 8 groups of 4 uppercase hex of SHA-256 of the key string', () => {
    const key = 'ed25519:' + randomBytes(32).toString('base64url');
    const expected = createHash('sha256').update(key).digest('hex').slice(0, 32).toUpperCase().match(/.{4}/g)!.join(' ');
    expect(fingerprint(key)).toBe(expected);
    expect(fingerprint(key)).toMatch(/^([0-9A-F]{4} ){7}[0-9A-F]{4}$/);
  });

  it('refuses anything that is not a public key, with a typed error', () => {
    for (const bad of ['', 'hello', 'AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX', 'ed25519:short']) {
      expect(() => fingerprint(bad)).toThrow(KeyFormatError);
    }
  });
});
