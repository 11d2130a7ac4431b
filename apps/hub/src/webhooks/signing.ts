/**
 * @module webhooks/signing
 * Standard Webhooks signatures (standardwebhooks.com, v1): the secret is
 * `whsec_` + base64 of the key bytes; the signature is
 * `v1,` + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)) with the
 * timestamp in integer seconds. Web Crypto only, so it runs on Workers too.
 */
import { WEBHOOK_SECRET_PREFIX } from '@dme/core/protocol';

/** 24 random bytes: the spec allows 24–64; receivers' libraries accept this length. */
const SECRET_BYTES = 24;

const enc = new TextEncoder();

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export async function signWebhook(secret: string, id: string, timestampSec: number, body: string): Promise<SignedHeaders> {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) throw new Error('webhook secret must start with whsec_');
  const keyBytes = fromBase64(secret.slice(WEBHOOK_SECRET_PREFIX.length));
  const key = await crypto.subtle.importKey('raw', keyBytes as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(`${id}.${timestampSec}.${body}`)));
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSec), 'webhook-signature': `v1,${toBase64(mac)}` };
}
