/**
 * The admin page's assets as the hub serves them: strict security headers,
 * no-store HTML, a script that parses and holds no backtick template (the
 * bundle is assembled from string modules), revalidation by ETag, and the
 * small-bundle budget (< 40 KB for HTML + JS + CSS).
 */
import { Script } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { call, makeHub } from '../../test/harness.js';

const hub = makeHub();
afterAll(async () => hub.cleanup());

describe('/admin', () => {
  it('serves the HTML shell with a strict CSP, no framing, no-store and no inline code', async () => {
    const res = await hub.app.request('/admin');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    for (const d of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]) expect(csp).toContain(d);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('set-cookie')).toBeNull();
    const html = await res.text();
    expect(html).toContain('<script src="/admin/app.js" defer></script>');
    expect(html).not.toMatch(/<script>|<style|\sstyle=|\son[a-z]+=/);
  });

  it('serves app.js that parses, and app.css, each with an ETag that revalidates', async () => {
    for (const [path, type] of [['/admin/app.js', 'text/javascript'], ['/admin/app.css', 'text/css']] as const) {
      const res = await hub.app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const etag = res.headers.get('etag')!;
      expect(etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
      const body = await res.text();
      if (type === 'text/javascript') {
        expect(() => new Script(body)).not.toThrow();
        expect(body).not.toContain('`');
        expect(body).not.toMatch(/\beval\(|new Function|innerHTML/);
      }
      const again = await hub.app.request(path, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
    }
  });

  it('keeps the whole page under 40 KB', async () => {
    let total = 0;
    for (const p of ['/admin', '/admin/app.js', '/admin/app.css']) total += (await (await hub.app.request(p)).arrayBuffer()).byteLength;
    expect(total).toBeLessThan(40 * 1024);
  });

  it('is outside the API: no admin data without an ADMIN token', async () => {
    expect((await call(hub, 'GET', '/v1/admin/webhooks')).status).toBe(401);
    expect((await hub.app.request('/admin/anything-else')).status).toBe(404);
  });
});
