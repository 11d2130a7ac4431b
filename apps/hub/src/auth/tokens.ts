/**
 * @module auth/tokens
 * The three bearer credentials and how each is minted and recognised:
 * - access token: HS256 JWT `{ sub, sid, iat, exp }`, `sid` being the session
 *   family, so logging out kills access tokens too (checked per request);
 * - refresh token: `rt_<64 hex>`, opaque, stored as SHA-256;
 * - API key: `dme_<key id>_<64 hex>`, stored as SHA-256 of the secret part.
 * Expiry is judged by the injected clock, not the wall clock, so tests can
 * move time.
 *
 * Speed: the HMAC key is imported once per secret, and an access token whose
 * signature and claims checked out is remembered (bounded, per secret), so a
 * client repeating its token skips Web Crypto; expiry is still judged per
 * request and the session family is still looked up by the caller. Only the
 * exact token string hits the cache: anything else is verified in full.
 */
import { sign, verify } from 'hono/jwt';
import { API_KEY_PATTERN } from '@dme/core/protocol';
import { HubError } from '../errors.js';
import { randomHex, sha256Hex } from './secrets.js';

export interface AccessClaims {
  accountId: string;
  familyId: string;
}

export async function signAccessToken(claims: AccessClaims, secret: string, now: Date, ttlSec: number): Promise<{ token: string; expiresAt: Date }> {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + ttlSec;
  const token = await sign({ sub: claims.accountId, sid: claims.familyId, iat, exp }, await keyring(secret).key, 'HS256');
  return { token, expiresAt: new Date(exp * 1000) };
}

interface VerifiedClaims extends AccessClaims {
  exp: number;
}

/** Verified tokens remembered per secret; oldest dropped first. */
const VERIFIED_MAX = 4096;
/** Distinct secrets kept (one per hub in a process; tests run many hubs). */
const SECRETS_MAX = 16;

interface Keyring {
  key: Promise<CryptoKey>;
  verified: Map<string, VerifiedClaims>;
}

const keyrings = new Map<string, Keyring>();

function keyring(secret: string): Keyring {
  let k = keyrings.get(secret);
  if (!k) {
    if (keyrings.size >= SECRETS_MAX) keyrings.delete(keyrings.keys().next().value!);
    const key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    k = { key, verified: new Map() };
    keyrings.set(secret, k);
  }
  return k;
}

async function verifyInFull(token: string, key: CryptoKey): Promise<VerifiedClaims> {
  let payload: Record<string, unknown>;
  try {
    // Time claims are checked by the caller against the injected clock.
    payload = await verify(token, key, { alg: 'HS256', exp: false, nbf: false, iat: false });
  } catch {
    throw new HubError('UNAUTHENTICATED', 'invalid access token');
  }
  const { sub, sid, exp } = payload;
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof exp !== 'number') {
    throw new HubError('UNAUTHENTICATED', 'invalid access token');
  }
  return { accountId: sub, familyId: sid, exp };
}

/** Throws HubError UNAUTHENTICATED (bad token) or TOKEN_EXPIRED. */
export async function verifyAccessToken(token: string, secret: string, now: Date): Promise<AccessClaims> {
  const ring = keyring(secret);
  let claims = ring.verified.get(token);
  if (!claims) {
    claims = await verifyInFull(token, await ring.key);
    if (ring.verified.size >= VERIFIED_MAX) ring.verified.delete(ring.verified.keys().next().value!);
    ring.verified.set(token, claims);
  }
  if (claims.exp * 1000 <= now.getTime()) throw new HubError('TOKEN_EXPIRED', 'access token expired; refresh it');
  return { accountId: claims.accountId, familyId: claims.familyId };
}

export const REFRESH_TOKEN_PREFIX = 'rt_';

export async function mintRefreshToken(): Promise<{ token: string; hash: string }> {
  const token = REFRESH_TOKEN_PREFIX + randomHex(32);
  return { token, hash: await sha256Hex(token) };
}

export const hashRefreshToken = sha256Hex;

export async function mintApiKey(id: string): Promise<{ key: string; secretHash: string }> {
  const secret = randomHex(32);
  return { key: `dme_${id}_${secret}`, secretHash: await sha256Hex(secret) };
}

/** Splits an API key into id and secret; null if it does not look like one. */
export function parseApiKey(key: string): { id: string; secret: string } | null {
  const m = API_KEY_PATTERN.exec(key);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

export function looksLikeApiKey(bearer: string): boolean {
  return bearer.startsWith('dme_');
}
