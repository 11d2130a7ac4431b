/**
 * verifyWebhook against deliveries signed here with node:crypto, straight
 * from the Standard Webhooks spec (HMAC-SHA256 over `${id}.${timestamp}.${body}`
 * keyed with the base64 part of `whsec_…`), so the verifier is checked
 * against an independent signer rather than against itself.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError } from './webhook-verify.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const NOW_SEC = Math.floor(NOW.getTime() / 1000);

function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

function sign(secret: string, id: string, ts: number | string, body: string | Buffer): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${ts}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

function delivery(secret: string, body: string, ts: number = NOW_SEC, id = `msg_${randomBytes(6).toString('hex')}`) {
  return { id, ts, headers: { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': sign(secret, id, ts, body) } };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(WebhookVerificationError);
    return (err as WebhookVerificationError).code;
  }
  throw new Error('verifyWebhook accepted a delivery it should refuse');
}

const body = JSON.stringify({ id: '42', type: 'DATA_PUBLISHED', createdAt: NOW.toISOString(), data: { datasetId: 'ds_1', releaseId: 'rel_1' } });

describe('verifyWebhook', () => {
  it('accepts a correctly signed delivery and returns the parsed body (string or bytes)', async () => {
    const secret = newSecret();
    const d = delivery(secret, body);
    expect(await verifyWebhook(secret, d.headers, body, { now: NOW })).toEqual(JSON.parse(body));
    expect(await verifyWebhook(secret, d.headers, new TextEncoder().encode(body), { now: NOW })).toEqual(JSON.parse(body));
  });

  it('accepts when one of several space-separated signatures matches (secret rotation)', async () => {
    const secret = newSecret();
    const d = delivery(secret, body);
    const stale = sign(newSecret(), d.id, d.ts, body);
    const headers = { ...d.headers, 'webhook-signature': `${stale} v2,${randomBytes(32).toString('base64')} ${d.headers['webhook-signature']}` };
    expect(await verifyWebhook(secret, headers, body, { now: NOW })).toEqual(JSON.parse(body));
    // The same list without the matching one is refused.
    expect(await codeOf(verifyWebhook(secret, { ...d.headers, 'webhook-signature': stale }, body, { now: NOW }))).toBe('BAD_SIGNATURE');
  });

  it('refuses a wrong secret, a tampered body and a tampered id with BAD_SIGNATURE', async () => {
    const secret = newSecret();
    const d = delivery(secret, body);
    expect(await codeOf(verifyWebhook(newSecret(), d.headers, body, { now: NOW }))).toBe('BAD_SIGNATURE');
    expect(await codeOf(verifyWebhook(secret, d.headers, body.replace('rel_1', 'rel_2'), { now: NOW }))).toBe('BAD_SIGNATURE');
    expect(await codeOf(verifyWebhook(secret, d.headers, `${body} `, { now: NOW }))).toBe('BAD_SIGNATURE');
    expect(await codeOf(verifyWebhook(secret, { ...d.headers, 'webhook-id': `${d.id}x` }, body, { now: NOW }))).toBe('BAD_SIGNATURE');
    // A timestamp changed within tolerance still breaks the signature.
    expect(await codeOf(verifyWebhook(secret, { ...d.headers, 'webhook-timestamp': String(d.ts + 1) }, body, { now: NOW }))).toBe('BAD_SIGNATURE');
  });

  it('refuses timestamps outside the tolerance, past and future, and honours toleranceSec', async () => {
    const secret = newSecret();
    const past = delivery(secret, body, NOW_SEC - 301);
    const future = delivery(secret, body, NOW_SEC + 301);
    const edge = delivery(secret, body, NOW_SEC - 300);
    expect(await codeOf(verifyWebhook(secret, past.headers, body, { now: NOW }))).toBe('BAD_TIMESTAMP');
    expect(await codeOf(verifyWebhook(secret, future.headers, body, { now: NOW }))).toBe('BAD_TIMESTAMP');
    expect(await verifyWebhook(secret, edge.headers, body, { now: NOW })).toEqual(JSON.parse(body));
    expect(await verifyWebhook(secret, past.headers, body, { now: NOW, toleranceSec: 600 })).toEqual(JSON.parse(body));
    const recent = delivery(secret, body, NOW_SEC - 11);
    expect(await codeOf(verifyWebhook(secret, recent.headers, body, { now: NOW, toleranceSec: 10 }))).toBe('BAD_TIMESTAMP');
    // Not integer seconds (e.g. milliseconds as a float, or text).
    for (const ts of ['1717243200.5', 'yesterday', '-1']) {
      const bad = { ...past.headers, 'webhook-timestamp': ts, 'webhook-signature': sign(secret, past.id, ts, body) };
      expect(await codeOf(verifyWebhook(secret, bad, body, { now: NOW }))).toBe('BAD_TIMESTAMP');
    }
  });

  it('refuses a delivery missing any of the three headers with MISSING_HEADERS', async () => {
    const secret = newSecret();
    const d = delivery(secret, body);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const headers: Record<string, string> = { ...d.headers };
      delete headers[name];
      expect(await codeOf(verifyWebhook(secret, headers, body, { now: NOW }))).toBe('MISSING_HEADERS');
      expect(await codeOf(verifyWebhook(secret, { ...d.headers, [name]: '' }, body, { now: NOW }))).toBe('MISSING_HEADERS');
    }
    expect(await codeOf(verifyWebhook(secret, new Headers(), body, { now: NOW }))).toBe('MISSING_HEADERS');
  });

  it('refuses a malformed or empty secret with BAD_SECRET', async () => {
    const secret = newSecret();
    const d = delivery(secret, body);
    for (const bad of ['whsec_not*base64!', 'whsec_', '']) {
      expect(await codeOf(verifyWebhook(bad, d.headers, body, { now: NOW }))).toBe('BAD_SECRET');
    }
  });

  it('refuses a correctly signed body that is not JSON with BAD_BODY', async () => {
    const secret = newSecret();
    const d = delivery(secret, 'not json');
    expect(await codeOf(verifyWebhook(secret, d.headers, 'not json', { now: NOW }))).toBe('BAD_BODY');
  });

  it('reads header names in any case, from a Headers object or a plain object (Node arrays too)', async () => {
    const secret = newSecret();
    const d = delivery(secret, body);
    const upper = { 'Webhook-Id': d.id, 'WEBHOOK-TIMESTAMP': String(d.ts), 'webhook-Signature': d.headers['webhook-signature'] };
    expect(await verifyWebhook(secret, upper, body, { now: NOW })).toEqual(JSON.parse(body));
    expect(await verifyWebhook(secret, new Headers(upper), body, { now: NOW })).toEqual(JSON.parse(body));
    const arrays = { 'webhook-id': [d.id], 'webhook-timestamp': [String(d.ts)], 'webhook-signature': [d.headers['webhook-signature']] };
    expect(await verifyWebhook(secret, arrays, body, { now: NOW })).toEqual(JSON.parse(body));
    // Case-insensitive lookup must not loosen the check: a wrong id in odd case still fails.
    expect(await codeOf(verifyWebhook(secret, { ...upper, 'Webhook-Id': 'other' }, body, { now: NOW }))).toBe('BAD_SIGNATURE');
  });
});
