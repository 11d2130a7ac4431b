import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  AgeRecipientSchema,
  Base64Schema,
  ChecksumSchema,
  Ed25519PublicKeySchema,
  IdSchema,
  PageQuerySchema,
  SlugSchema,
  TimestampSchema,
  isAgeRecipient,
  isEd25519PublicKey,
  pageOf,
} from './common.js';
import { z } from 'zod';

const AGE_SPEC_RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';

describe('age recipients', () => {
  it('accepts recipients made by the real age-keygen', () => {
    for (let i = 0; i < 3; i++) {
      const out = execFileSync('/usr/bin/age-keygen', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const recipient = out.match(/# public key: (age1\S+)/)?.[1];
      expect(recipient).toBeDefined();
      expect(AgeRecipientSchema.safeParse(recipient).success).toBe(true);
    }
    expect(isAgeRecipient(AGE_SPEC_RECIPIENT)).toBe(true);
  });

  it.each([
    ['uppercase', AGE_SPEC_RECIPIENT.toUpperCase()],
    ['bad checksum', AGE_SPEC_RECIPIENT.slice(0, -1) + (AGE_SPEC_RECIPIENT.endsWith('p') ? 'q' : 'p')],
    ['truncated', AGE_SPEC_RECIPIENT.slice(0, 40)],
    ['a secret key', 'AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX'],
    ['a plugin recipient', 'age1yubikey1qwt50d05nh5vutpdzmlg5wn80xq5negm4uj9ghv0snvdd3yysf5yw3rhl3t'],
    ['an ssh key', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN'],
    ['empty', ''],
  ])('rejects %s', (_why, value) => {
    expect(AgeRecipientSchema.safeParse(value).success).toBe(false);
  });

  it('rejects a non-string', () => {
    expect(AgeRecipientSchema.safeParse(42).success).toBe(false);
  });
});

describe('Ed25519 public key strings', () => {
  it('accepts ed25519:<base64url of 32 bytes> and nothing near it', () => {
    const key = 'ed25519:' + randomBytes(32).toString('base64url');
    expect(Ed25519PublicKeySchema.parse(key)).toBe(key);
    expect(isEd25519PublicKey(key.replace('ed25519:', 'ED25519:'))).toBe(false);
    expect(isEd25519PublicKey(key + '=')).toBe(false);
    expect(isEd25519PublicKey('ed25519:' + randomBytes(32).toString('base64').replace(/=+$/, '').replace(/[A-Za-z0-9]/, '+'))).toBe(false);
    expect(isEd25519PublicKey('ed25519:' + randomBytes(31).toString('base64url'))).toBe(false);
    // 43 chars carry 258 bits: the last char's low 2 bits must be zero (canonical spelling).
    const body = Buffer.alloc(32).toString('base64url');
    expect(isEd25519PublicKey('ed25519:' + body)).toBe(true);
    expect(isEd25519PublicKey('ed25519:' + body.slice(0, -1) + 'B')).toBe(false);
  });
});

describe('ids, timestamps, slugs, checksums, base64', () => {
  it('ids', () => {
    for (const good of ['a', 'acc_01JJQ4Z8', '6f1c2d9e-4a6b-4c1e-9f3a-2b7d8e9f0a1b', 'x'.repeat(64)]) expect(IdSchema.safeParse(good).success).toBe(true);
    for (const bad of ['', '_a', '-a', 'a b', 'a/b', 'x'.repeat(65), 12]) expect(IdSchema.safeParse(bad).success).toBe(false);
  });

  it('timestamps are UTC with Z', () => {
    for (const good of ['2025-01-27T14:00:00Z', '2025-01-27T14:00:00.123Z']) expect(TimestampSchema.safeParse(good).success).toBe(true);
    for (const bad of ['2025-01-27T14:00:00+01:00', '2025-01-27', '2025-13-01T00:00:00Z', 'yesterday', 1737986400000]) {
      expect(TimestampSchema.safeParse(bad).success).toBe(false);
    }
  });

  it('slugs', () => {
    expect(SlugSchema.safeParse('phone-numbers-us').success).toBe(true);
    for (const bad of ['Phone', 'a--b', '-a', 'a-', 'a_b', '']) expect(SlugSchema.safeParse(bad).success).toBe(false);
  });

  it('checksums and base64', () => {
    expect(ChecksumSchema.safeParse('sha256:' + 'ab'.repeat(32)).success).toBe(true);
    expect(ChecksumSchema.safeParse('sha256:' + 'AB'.repeat(32)).success).toBe(false);
    expect(ChecksumSchema.safeParse('md5:' + 'ab'.repeat(16)).success).toBe(false);
    expect(Base64Schema.safeParse(randomBytes(10).toString('base64')).success).toBe(true);
    expect(Base64Schema.safeParse(randomBytes(10).toString('base64url').replace(/=/g, '') + '-_').success).toBe(false);
  });
});

describe('pagination', () => {
  it('coerces and bounds limit, and builds page schemas', () => {
    expect(PageQuerySchema.parse({})).toEqual({ limit: 50 });
    expect(PageQuerySchema.parse({ limit: '10', cursor: 'abc' })).toEqual({ limit: 10, cursor: 'abc' });
    for (const bad of [{ limit: '0' }, { limit: '201' }, { limit: '1.5' }, { limit: 'ten' }, { cursor: '' }]) {
      expect(PageQuerySchema.safeParse(bad).success).toBe(false);
    }
    const page = pageOf(z.object({ n: z.number() }));
    expect(page.parse({ items: [{ n: 1 }], nextCursor: null })).toEqual({ items: [{ n: 1 }], nextCursor: null });
    expect(page.safeParse({ items: [{ n: 'x' }], nextCursor: null }).success).toBe(false);
  });
});
