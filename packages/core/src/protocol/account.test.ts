import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { AccountSchema, AccountUpdateSchema, EnableFeatureSchema, PublicAccountSchema } from './account.js';
import { ERROR_CODES, ERROR_STATUS, ErrorBodySchema, errorBody, errorStatus, validationDetails } from './error.js';

const account = {
  id: 'acc_1',
  email: 'ops@phone.example',
  displayName: 'Phone.com ops',
  features: ['DATA_CONSUMER'],
  tier: 'PROFESSIONAL',
  status: 'ACTIVE',
  ageRecipient: 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p',
  signingPublicKey: 'ed25519:' + randomBytes(32).toString('base64url'),
  createdAt: '2025-01-27T14:00:00Z',
  updatedAt: '2025-01-27T14:00:00Z',
};

describe('accounts', () => {
  it('accepts a good account and defaults mfaEnabled', () => {
    expect(AccountSchema.parse(account).mfaEnabled).toBe(false);
    expect(PublicAccountSchema.parse(account)).not.toHaveProperty('email');
  });

  it.each([
    ['an unknown feature', { features: ['DATA_SELLER'] }],
    ['duplicate features', { features: ['ADMIN', 'ADMIN'] }],
    ['an unknown tier', { tier: 'GOLD' }],
    ['a lowercase status', { status: 'active' }],
    ['a bad email', { email: 'not-an-email' }],
    ['a bad recipient', { ageRecipient: 'age1abc' }],
    ['a bad signing key', { signingPublicKey: 'ed25519:abc' }],
    ['a numeric id', { id: 1 }],
    ['an empty display name', { displayName: '   ' }],
  ])('rejects %s', (_why, patch) => {
    expect(AccountSchema.safeParse({ ...account, ...patch }).success).toBe(false);
  });

  it('update and enable-feature inputs are strict', () => {
    expect(AccountUpdateSchema.parse({ organization: null })).toEqual({ organization: null });
    expect(AccountUpdateSchema.safeParse({ tier: 'ENTERPRISE' }).success).toBe(false);
    expect(EnableFeatureSchema.safeParse({ feature: 'DATA_PRODUCER' }).success).toBe(true);
    expect(EnableFeatureSchema.safeParse({ feature: 'ADMIN' }).success).toBe(false);
  });
});

describe('errors', () => {
  it('maps codes to statuses as data', () => {
    expect(errorStatus('VALIDATION_FAILED')).toBe(400);
    expect(errorStatus('UNAUTHENTICATED')).toBe(401);
    expect(errorStatus('RATE_LIMITED')).toBe(429);
    expect(ERROR_CODES).toHaveLength(Object.keys(ERROR_STATUS).length);
    for (const code of ERROR_CODES) {
      const s = errorStatus(code);
      expect(s >= 400 && s < 600, code).toBe(true);
      expect(ErrorBodySchema.parse(errorBody(code, 'm'))).toEqual({ error: { code, message: 'm' } });
    }
  });

  it('rejects unknown codes and reports zod issues without values', () => {
    expect(ErrorBodySchema.safeParse({ error: { code: 'TEAPOT', message: 'x' } }).success).toBe(false);
    const r = AccountSchema.safeParse({ ...account, email: 'secret-value' });
    expect(r.success).toBe(false);
    const details = validationDetails(r.error!);
    expect(details.issues[0]?.path).toEqual(['email']);
    expect(JSON.stringify(details)).not.toContain('secret-value');
  });
});
