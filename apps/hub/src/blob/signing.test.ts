/** Signed blob URLs: each way a URL can be wrong has its own reason. */
import { describe, expect, it } from 'vitest';
import { UrlSigner } from './signing.js';

const signer = new UrlSigner('a-secret-of-enough-length');
const now = Date.UTC(2030, 0, 1);

async function query(method: 'GET' | 'PUT' | 'HEAD', key: string, ttl = 300): Promise<URLSearchParams> {
  const { url } = await signer.signUrl('https://hub.example/v1/blob/', method, key, { expiresInSec: ttl, now });
  expect(url.startsWith(`https://hub.example/v1/blob/${key}?`)).toBe(true);
  return new URL(url).searchParams;
}

describe('UrlSigner', () => {
  it('accepts its own URL for the signed method and key until it expires', async () => {
    const q = await query('PUT', 'p/d/r');
    expect(await signer.verify('PUT', 'p/d/r', q, now)).toEqual({ ok: true, exp: now / 1000 + 300 });
    expect(await signer.verify('put', 'p/d/r', q, now + 299_000)).toMatchObject({ ok: true });
    expect(await signer.verify('PUT', 'p/d/r', q, now + 300_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('defaults to a five-minute lifetime', async () => {
    const { exp } = await signer.signUrl('https://h/v1/blob', 'GET', 'k', { now });
    expect(exp - now / 1000).toBe(300);
  });

  it('tells a wrong method from a forgery', async () => {
    const q = await query('GET', 'p/d/r');
    expect(await signer.verify('PUT', 'p/d/r', q, now)).toEqual({ ok: false, reason: 'wrong-method' });
    const claimed = new URLSearchParams(q);
    claimed.set('m', 'PUT');
    expect(await signer.verify('PUT', 'p/d/r', claimed, now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses another key, a stretched expiry, another secret and malformed signatures', async () => {
    const q = await query('GET', 'p/d/r');
    expect(await signer.verify('GET', 'p/d/other', q, now)).toEqual({ ok: false, reason: 'bad-signature' });
    const stretched = new URLSearchParams(q);
    stretched.set('exp', String(Number(q.get('exp')) + 1));
    expect(await signer.verify('GET', 'p/d/r', stretched, now)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(await new UrlSigner('another-secret-of-length').verify('GET', 'p/d/r', q, now)).toEqual({ ok: false, reason: 'bad-signature' });
    for (const sig of ['', 'not base64!', 'AAAA', q.get('sig') + 'AA']) {
      const bad = new URLSearchParams(q);
      bad.set('sig', sig);
      expect(await signer.verify('GET', 'p/d/r', bad, now)).toEqual({ ok: false, reason: 'bad-signature' });
    }
    expect(await signer.verify('GET', 'p/d/r', new URLSearchParams(), now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('remembered signatures are the ones a fresh signer computes, and stay distinct per method, key and expiry', async () => {
    const fresh = () => new UrlSigner('a-secret-of-enough-length');
    const a = await signer.sign('GET', 'p/d/memo', 2_000_000_000);
    expect(await signer.sign('GET', 'p/d/memo', 2_000_000_000)).toBe(a);
    expect(await fresh().sign('GET', 'p/d/memo', 2_000_000_000)).toBe(a);
    const others = [await signer.sign('HEAD', 'p/d/memo', 2_000_000_000), await signer.sign('GET', 'p/d/memo2', 2_000_000_000), await signer.sign('GET', 'p/d/memo', 2_000_000_001)];
    expect(new Set([a, ...others]).size).toBe(4);
    // Beyond the memo's bound, old entries are recomputed, still identical and still valid.
    for (let i = 0; i < 300; i++) await signer.sign('GET', `k/${i}`, 2_000_000_000);
    expect(await signer.sign('GET', 'p/d/memo', 2_000_000_000)).toBe(a);
    expect(await signer.verify('GET', 'p/d/memo', new URLSearchParams(a), 1_999_999_999_000)).toEqual({ ok: true, exp: 2_000_000_000 });
  });

  it('refuses a short secret', () => {
    expect(() => new UrlSigner('short')).toThrow(/at least 16 bytes/);
  });
});
