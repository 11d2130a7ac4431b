/**
 * @module sdk/webhook-verify
 * Verifying a DME webhook delivery on the receiver's side, per the Standard
 * Webhooks specification: the signed content is `${webhook-id}.${webhook-timestamp}.${body}`,
 * the key is the base64 part of the `whsec_` secret, and `webhook-signature`
 * holds one or more space-separated `v1,<base64 HMAC-SHA256>` (several during
 * a secret rotation; any match passes). The timestamp must be within
 * `toleranceSec` of now (default 5 min) against replays. Comparison is
 * constant-time. Verify the raw body bytes, before any JSON parsing.
 * Web Crypto only.
 */

export type WebhookVerifyErrorCode = 'MISSING_HEADERS' | 'BAD_SECRET' | 'BAD_TIMESTAMP' | 'BAD_SIGNATURE' | 'BAD_BODY';

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  constructor(
    readonly code: WebhookVerifyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** Allowed clock difference in seconds (default 300). */
  toleranceSec?: number;
  /** Current time (tests). */
  now?: Date;
}

function header(h: HeaderSource, name: string): string | undefined {
  if (typeof (h as Headers).get === 'function') return (h as Headers).get(name) ?? undefined;
  const rec = h as Record<string, string | string[] | undefined>;
  const key = Object.keys(rec).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : rec[key];
  return Array.isArray(v) ? v[0] : v;
}

function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Throws WebhookVerificationError unless the delivery is authentic and fresh;
 * returns the parsed JSON body (an event envelope, or a PING).
 */
export async function verifyWebhook(secret: string, headers: HeaderSource, body: string | Uint8Array, opts: VerifyOptions = {}): Promise<unknown> {
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const sigs = header(headers, 'webhook-signature');
  if (!id || !ts || !sigs) throw new WebhookVerificationError('MISSING_HEADERS', 'webhook-id, webhook-timestamp and webhook-signature are required');
  let key: Uint8Array;
  try {
    key = fromBase64(secret.startsWith('whsec_') ? secret.slice(6) : secret);
  } catch {
    throw new WebhookVerificationError('BAD_SECRET', 'the secret is not whsec_<base64>');
  }
  if (key.length === 0) throw new WebhookVerificationError('BAD_SECRET', 'the secret is empty');
  if (!/^\d{1,12}$/.test(ts)) throw new WebhookVerificationError('BAD_TIMESTAMP', 'webhook-timestamp is not integer seconds');
  const nowSec = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSec - Number(ts)) > (opts.toleranceSec ?? 300)) throw new WebhookVerificationError('BAD_TIMESTAMP', 'webhook-timestamp is outside the tolerance');
  const bodyText = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: false }).decode(body);
  const bodyBytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const prefix = new TextEncoder().encode(`${id}.${ts}.`);
  const signed = new Uint8Array(prefix.length + bodyBytes.length);
  signed.set(prefix);
  signed.set(bodyBytes, prefix.length);
  const cryptoKey = await crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const expected = new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, signed));
  const match = sigs.split(' ').some((s) => {
    const [version, b64] = s.split(',', 2);
    if (version !== 'v1' || !b64) return false;
    try {
      return equalBytes(fromBase64(b64), expected);
    } catch {
      return false;
    }
  });
  if (!match) throw new WebhookVerificationError('BAD_SIGNATURE', 'no webhook-signature matches');
  try {
    return JSON.parse(bodyText) as unknown;
  } catch {
    throw new WebhookVerificationError('BAD_BODY', 'the body is not JSON');
  }
}
