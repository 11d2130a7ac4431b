/**
 * @module blob/signing
 * HMAC-SHA-256 signed URLs for the local-disk blob routes (web-standard: Web
 * Crypto only, so the same code runs on Node and Workers).
 *
 * A URL looks like `<base>/<key>?m=PUT&exp=<unix seconds>&sig=<base64url>` and
 * the MAC covers `DME-BLOB-URL-v1 \n method \n key \n exp`. Invariant: a URL
 * grants exactly one method on exactly one key until `exp`. Verification checks
 * the MAC first (constant time, through `crypto.subtle.verify`), so a forged
 * URL is always "bad signature" whatever its claimed method or expiry.
 *
 * Signing remembers its last few MACs: expiries have one-second resolution,
 * so every download URL for one blob issued within a second (the burst after
 * a DATA_PUBLISHED) is the same URL, and HMAC is deterministic, so the memo
 * returns exactly what Web Crypto would, without a thread-pool round trip.
 */

export type SignedMethod = 'GET' | 'PUT' | 'HEAD';

export const SIGNING_LABEL = 'DME-BLOB-URL-v1';
export const DEFAULT_URL_TTL_SEC = 300;

export type VerifyFailure = 'expired' | 'bad-signature' | 'wrong-method';
export type VerifyResult = { ok: true; exp: number } | { ok: false; reason: VerifyFailure };

const encoder = new TextEncoder();

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

function message(method: SignedMethod, key: string, exp: number): Uint8Array<ArrayBuffer> {
  return encoder.encode(`${SIGNING_LABEL}\n${method}\n${key}\n${exp}`);
}

/** Signs and verifies blob URLs with one secret (at least 32 bytes of entropy recommended). */
/** MACs remembered (method, key, exp → signature); oldest dropped first. */
const MEMO_MAX = 256;

export class UrlSigner {
  readonly #key: Promise<CryptoKey>;
  readonly #memo = new Map<string, string>();

  constructor(secret: string | Uint8Array) {
    const raw = typeof secret === 'string' ? encoder.encode(secret) : new Uint8Array(secret);
    if (raw.length < 16) throw new TypeError('blob URL secret must be at least 16 bytes');
    this.#key = crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  }

  /** The query string (`m`, `exp`, `sig`) authorising `method` on `key` until `exp` (unix seconds). */
  async sign(method: SignedMethod, key: string, exp: number): Promise<string> {
    const memoKey = `${method}\n${key}\n${exp}`;
    let sig = this.#memo.get(memoKey);
    if (sig === undefined) {
      sig = toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', await this.#key, message(method, key, exp))));
      if (this.#memo.size >= MEMO_MAX) this.#memo.delete(this.#memo.keys().next().value!);
      this.#memo.set(memoKey, sig);
    }
    return new URLSearchParams({ m: method, exp: String(exp), sig }).toString();
  }

  /** A full URL: `base` is the route prefix (e.g. `https://hub/v1/blob`), keys are path-safe by construction. */
  async signUrl(base: string, method: SignedMethod, key: string, opts: { expiresInSec?: number; now?: number } = {}): Promise<{ url: string; expiresAt: string; exp: number }> {
    const now = opts.now ?? Date.now();
    const exp = Math.floor(now / 1000) + (opts.expiresInSec ?? DEFAULT_URL_TTL_SEC);
    const query = await this.sign(method, key, exp);
    const url = `${base.replace(/\/+$/, '')}/${key}?${query}`;
    return { url, exp, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /**
   * Checks a request for `key` made with `method` carrying `query`. The MAC is
   * checked against the method the URL claims (`m`), then that claim against the
   * actual method, then the expiry: each failure has its own reason.
   */
  async verify(method: string, key: string, query: URLSearchParams, now: number = Date.now()): Promise<VerifyResult> {
    const claimed = query.get('m');
    const expText = query.get('exp');
    const sig = fromBase64Url(query.get('sig') ?? '');
    if (claimed === null || expText === null || sig === null || sig.length !== 32 || !/^\d{1,12}$/.test(expText)) {
      return { ok: false, reason: 'bad-signature' };
    }
    if (claimed !== 'GET' && claimed !== 'PUT' && claimed !== 'HEAD') return { ok: false, reason: 'bad-signature' };
    const exp = Number(expText);
    const valid = await crypto.subtle.verify('HMAC', await this.#key, new Uint8Array(sig), message(claimed, key, exp));
    if (!valid) return { ok: false, reason: 'bad-signature' };
    if (claimed !== method.toUpperCase()) return { ok: false, reason: 'wrong-method' };
    if (Math.floor(now / 1000) >= exp) return { ok: false, reason: 'expired' };
    return { ok: true, exp };
  }
}
