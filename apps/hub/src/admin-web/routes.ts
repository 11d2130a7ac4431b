/**
 * @module admin-web/routes
 * Serves the admin page: /admin (HTML shell), /admin/app.js, /admin/app.css.
 * All three are public and hold no data: the data comes from /v1/admin/*,
 * which requires an ADMIN bearer token. Strict headers: a CSP that allows
 * only same-origin scripts, styles and fetches (no inline code, no eval),
 * no framing (CSP frame-ancestors and X-Frame-Options), no referrer, and
 * no-store on the HTML; the assets are content-addressed by an ETag.
 * Mounted outside /v1, so API rate limits and body limits do not apply.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import { ADMIN_JS } from './bundle.js';
import { ADMIN_HTML } from './page.js';
import { ADMIN_CSS } from './styles.js';

export const ADMIN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': ADMIN_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** FNV-1a over the text: a cheap, stable ETag that changes whenever the asset does. */
function etagOf(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return `"${(h >>> 0).toString(16)}-${text.length.toString(16)}"`;
}

function asset(body: string, type: string) {
  const etag = etagOf(body);
  return (c: Context) => {
    const headers = { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': 'no-cache', etag };
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
    return c.body(body, 200, headers);
  };
}

export function adminWebRoutes() {
  const page = (c: Context) => c.body(ADMIN_HTML, 200, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  return new Hono()
    .get('/', page)
    .get('/app.js', asset(ADMIN_JS, 'text/javascript; charset=utf-8'))
    .get('/app.css', asset(ADMIN_CSS, 'text/css; charset=utf-8'));
}
