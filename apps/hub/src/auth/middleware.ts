/**
 * @module auth/middleware
 * Authentication and authorization middleware. `requireAuth` accepts
 * `Authorization: Bearer <access JWT | API key>`, loads the account (so
 * feature, tier and suspension changes apply at once) and enforces API-key
 * scopes by route area:
 *   - `read-only` keys: GET and HEAD only;
 *   - `/v1/producer/**` needs the `producer` scope, `/v1/consumer/**` the `consumer` scope.
 * Feature flags of the account are checked separately with `requireFeature`,
 * so a consumer-scoped key of a producer account still cannot publish.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { ApiKeyScope, Feature } from '@dme/core/protocol';
import type { HubDeps } from '../deps.js';
import type { Caller, HubEnv } from '../env.js';
import { HubError } from '../errors.js';
import type { AccountRecord } from '../store/types.js';
import { sha256Hex, timingSafeEqual } from './secrets.js';
import { looksLikeApiKey, parseApiKey, verifyAccessToken } from './tokens.js';

const SESSION_SCOPES: ApiKeyScope[] = ['producer', 'consumer'];
/** last_used_at is refreshed at most this often, so authenticated reads stay writes-free. */
const TOUCH_INTERVAL_MS = 60_000;

function unauthenticated(message: string): HubError {
  return new HubError('UNAUTHENTICATED', message, { headers: { 'WWW-Authenticate': 'Bearer' } });
}

function bearerOf(header: string | undefined): string {
  if (!header) throw unauthenticated('missing Authorization: Bearer header');
  const m = /^Bearer +(\S+) *$/i.exec(header);
  if (!m) throw unauthenticated('Authorization header must be "Bearer <token>"');
  return m[1]!;
}

function activeAccount(account: AccountRecord | null): AccountRecord {
  if (!account) throw unauthenticated('session is no longer valid; log in again');
  if (account.status !== 'ACTIVE') throw new HubError('FORBIDDEN', 'account suspended');
  return account;
}

async function callerFromApiKey(deps: HubDeps, bearer: string, now: Date): Promise<Caller> {
  const parsed = parseApiKey(bearer);
  if (!parsed) throw unauthenticated('invalid API key');
  const found = await deps.store.apiKeys.getForAuth(parsed.id);
  // Hash even when the id is unknown, so both failures take the same time.
  const presented = await sha256Hex(parsed.secret);
  if (!found || !timingSafeEqual(presented, found.secretHash)) throw unauthenticated('invalid API key');
  if (found.key.expiresAt !== null && found.key.expiresAt <= now.toISOString()) throw unauthenticated('API key expired');
  const account = activeAccount(found.account);
  const last = found.key.lastUsedAt ? Date.parse(found.key.lastUsedAt) : 0;
  if (now.getTime() - last >= TOUCH_INTERVAL_MS) await deps.store.apiKeys.touch(found.key.id, now.toISOString());
  return {
    accountId: account.id,
    features: account.features,
    tier: account.tier,
    scopes: found.key.scopes,
    via: 'apikey',
    apiKeyId: found.key.id,
    account,
  };
}

async function callerFromJwt(deps: HubDeps, bearer: string, now: Date): Promise<Caller> {
  const claims = await verifyAccessToken(bearer, deps.config.jwtSecret, now);
  const account = activeAccount(await deps.store.sessions.accountOfActiveFamily(claims.familyId));
  if (account.id !== claims.accountId) throw unauthenticated('invalid access token');
  return { accountId: account.id, features: account.features, tier: account.tier, scopes: SESSION_SCOPES, via: 'jwt', account };
}

/** Throws FORBIDDEN when the credential's scopes do not cover this method and path. */
export function checkScope(scopes: readonly ApiKeyScope[], method: string, path: string): void {
  if (scopes.includes('read-only')) {
    if (method !== 'GET' && method !== 'HEAD') throw new HubError('FORBIDDEN', 'read-only API key: only GET requests are allowed');
    return;
  }
  if (path.startsWith('/v1/producer/') && !scopes.includes('producer')) {
    throw new HubError('FORBIDDEN', 'this API key lacks the producer scope');
  }
  if (path.startsWith('/v1/consumer/') && !scopes.includes('consumer')) {
    throw new HubError('FORBIDDEN', 'this API key lacks the consumer scope');
  }
}

/**
 * The checked caller of a request (credential, account, scope for this method and path);
 * throws HubError. Does not put it on the context: that is requireAuth's job (or the
 * limiter's, which identifies callers before the routes and must not fail the request).
 */
export async function authenticate(deps: HubDeps, c: Context, authorization = c.req.header('authorization')): Promise<Caller> {
  const bearer = bearerOf(authorization);
  const now = deps.clock.now();
  const caller = looksLikeApiKey(bearer) ? await callerFromApiKey(deps, bearer, now) : await callerFromJwt(deps, bearer, now);
  checkScope(caller.scopes, c.req.method, c.req.path);
  return caller;
}

/**
 * Idempotent: a router may require auth even when an area guard in createApp (or the
 * limiter) already did. `c.get`, not `c.var`, which copies every variable per access.
 */
export function requireAuth(deps: HubDeps): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    if (c.get('caller') === undefined) c.set('caller', await authenticate(deps, c));
    await next();
  };
}

/** After requireAuth: the account must carry `feature`. */
export function requireFeature(feature: Feature): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    if (!c.get('caller').features.includes(feature)) {
      throw new HubError('FORBIDDEN', `this account lacks the ${feature} feature`, { details: { feature } });
    }
    await next();
  };
}

export function requireAdmin(): MiddlewareHandler<HubEnv> {
  return requireFeature('ADMIN');
}

/** After requireAuth: only a login session (not an API key) may, e.g. to mint more keys. */
export function requireSession(): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    if (c.get('caller').via !== 'jwt') throw new HubError('FORBIDDEN', 'this action needs a login session, not an API key');
    await next();
  };
}
