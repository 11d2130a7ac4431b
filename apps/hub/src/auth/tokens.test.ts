/**
 * Access tokens with the verified-token cache: a remembered token still
 * expires by the clock, is bound to the secret it was signed with, and no
 * other string (tampered signature or payload) rides on it.
 */
import { describe, expect, it } from 'vitest';
import { HubError } from '../errors.js';
import { signAccessToken, verifyAccessToken } from './tokens.js';

const SECRET_A = 'a'.repeat(32) + '-tokens-test';
const SECRET_B = 'b'.repeat(32) + '-tokens-test';
const T0 = new Date('2026-03-01T12:00:00Z');

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return err instanceof HubError ? err.code : `not a HubError: ${String(err)}`;
  }
}

describe('access tokens', () => {
  it('verifies, and verifies again from memory with the same claims', async () => {
    const { token } = await signAccessToken({ accountId: 'acc_1', familyId: 'fam_1' }, SECRET_A, T0, 900);
    expect(await verifyAccessToken(token, SECRET_A, T0)).toEqual({ accountId: 'acc_1', familyId: 'fam_1' });
    expect(await verifyAccessToken(token, SECRET_A, new Date(T0.getTime() + 1000))).toEqual({ accountId: 'acc_1', familyId: 'fam_1' });
  });

  it('a remembered token still expires by the injected clock', async () => {
    const { token, expiresAt } = await signAccessToken({ accountId: 'acc_2', familyId: 'fam_2' }, SECRET_A, T0, 60);
    await verifyAccessToken(token, SECRET_A, T0);
    expect(await codeOf(verifyAccessToken(token, SECRET_A, expiresAt))).toBe('TOKEN_EXPIRED');
    expect(await codeOf(verifyAccessToken(token, SECRET_A, new Date(expiresAt.getTime() - 1000)))).toBe('resolved');
  });

  it('a token remembered under one secret is refused under another', async () => {
    const { token } = await signAccessToken({ accountId: 'acc_3', familyId: 'fam_3' }, SECRET_A, T0, 900);
    await verifyAccessToken(token, SECRET_A, T0);
    expect(await codeOf(verifyAccessToken(token, SECRET_B, T0))).toBe('UNAUTHENTICATED');
  });

  it('tampered signature or payload is refused even after the genuine token was verified', async () => {
    const { token } = await signAccessToken({ accountId: 'acc_4', familyId: 'fam_4' }, SECRET_A, T0, 900);
    await verifyAccessToken(token, SECRET_A, T0);
    const [h, p, s] = token.split('.') as [string, string, string];
    const flipped = s.slice(0, -2) + (s.at(-2) === 'A' ? 'B' : 'A') + s.at(-1);
    expect(await codeOf(verifyAccessToken(`${h}.${p}.${flipped}`, SECRET_A, T0))).toBe('UNAUTHENTICATED');
    const other = Buffer.from(JSON.stringify({ sub: 'acc_admin', sid: 'fam_4', iat: 0, exp: 9e9 })).toString('base64url');
    expect(await codeOf(verifyAccessToken(`${h}.${other}.${s}`, SECRET_A, T0))).toBe('UNAUTHENTICATED');
    expect(await codeOf(verifyAccessToken(`${token}x`, SECRET_A, T0))).toBe('UNAUTHENTICATED');
  });

  it('tokens signed with a different secret, or not JWTs at all, are refused', async () => {
    const { token } = await signAccessToken({ accountId: 'acc_5', familyId: 'fam_5' }, SECRET_B, T0, 900);
    expect(await codeOf(verifyAccessToken(token, SECRET_A, T0))).toBe('UNAUTHENTICATED');
    expect(await codeOf(verifyAccessToken('not.a.jwt', SECRET_A, T0))).toBe('UNAUTHENTICATED');
    expect(await codeOf(verifyAccessToken('', SECRET_A, T0))).toBe('UNAUTHENTICATED');
  });
});
