/**
 * @module auth/session
 * Issuing login sessions: a new refresh-token family plus an access token,
 * and rotation of an existing family. Shared by signup, login and refresh.
 */
import type { AuthSession, AuthTokens } from '@dme/core/protocol';
import type { HubDeps } from '../deps.js';
import { HubError } from '../errors.js';
import type { AccountRecord } from '../store/types.js';
import { accountView } from '../views/account.js';
import { hashPassword, verifyPassword } from './secrets.js';
import { hashRefreshToken, mintRefreshToken, signAccessToken } from './tokens.js';

function plusSec(d: Date, sec: number): string {
  return new Date(d.getTime() + sec * 1000).toISOString();
}

async function tokensFor(deps: HubDeps, accountId: string, familyId: string, refresh: { token: string; expiresAt: string }, now: Date): Promise<AuthTokens> {
  const access = await signAccessToken({ accountId, familyId }, deps.config.jwtSecret, now, deps.config.accessTokenTtlSec);
  return {
    tokenType: 'Bearer',
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt.toISOString(),
    refreshToken: refresh.token,
    refreshTokenExpiresAt: refresh.expiresAt,
  };
}

export async function openSession(deps: HubDeps, account: AccountRecord): Promise<AuthSession> {
  const now = deps.clock.now();
  const familyId = deps.ids.id('ses');
  const refresh = await mintRefreshToken();
  const expiresAt = plusSec(now, deps.config.refreshTokenTtlSec);
  await deps.store.sessions.open({
    familyId,
    accountId: account.id,
    token: { id: deps.ids.id('rt'), tokenHash: refresh.hash, expiresAt },
    now: now.toISOString(),
  });
  return { ...(await tokensFor(deps, account.id, familyId, { token: refresh.token, expiresAt }, now)), account: accountView(account) };
}

export async function rotateSession(deps: HubDeps, refreshToken: string): Promise<AuthSession> {
  const now = deps.clock.now();
  const next = await mintRefreshToken();
  const expiresAt = plusSec(now, deps.config.refreshTokenTtlSec);
  const result = await deps.store.sessions.rotate({
    tokenHash: await hashRefreshToken(refreshToken),
    next: { id: deps.ids.id('rt'), tokenHash: next.hash, expiresAt },
    now: now.toISOString(),
  });
  if (result.kind === 'reused') {
    deps.logger?.info('refresh token reuse: session family revoked', { accountId: result.accountId, familyId: result.familyId });
    throw new HubError('UNAUTHENTICATED', 'refresh token already used; the session has been revoked, log in again');
  }
  if (result.kind === 'invalid') throw new HubError('UNAUTHENTICATED', 'invalid or expired refresh token');
  const account = await deps.store.accounts.getById(result.accountId);
  if (!account) throw new HubError('UNAUTHENTICATED', 'invalid or expired refresh token');
  if (account.status !== 'ACTIVE') throw new HubError('FORBIDDEN', 'account suspended');
  return { ...(await tokensFor(deps, account.id, result.familyId, { token: next.token, expiresAt }, now)), account: accountView(account) };
}

/** Compared against when the email is unknown, so a miss costs as much as a wrong password. */
const dummyHashes = new Map<number, Promise<string>>();

export async function checkPassword(deps: HubDeps, account: AccountRecord | null, password: string): Promise<AccountRecord> {
  const iterations = deps.config.passwordIterations;
  if (!dummyHashes.has(iterations)) dummyHashes.set(iterations, hashPassword('not-a-password', iterations));
  const stored = account?.passwordHash ?? (await dummyHashes.get(iterations)!);
  const ok = await verifyPassword(password, stored);
  if (!account || !ok) throw new HubError('UNAUTHENTICATED', 'wrong email or password');
  if (account.status !== 'ACTIVE') throw new HubError('FORBIDDEN', 'account suspended');
  return account;
}
