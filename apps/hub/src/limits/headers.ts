/**
 * @module limits/headers
 * The IETF RateLimit header fields, as in draft-ietf-httpapi-ratelimit-headers
 * (-08 and later): Structured Fields lists of named policies.
 *
 *   RateLimit-Policy: "burst";q=20;w=2, "monthly";q=1000000;w=2678400
 *   RateLimit: "burst";r=19;t=1, "monthly";r=999950;t=1209600
 *
 * `burst` is the token bucket: q = bucket size, w = seconds to refill it
 * from empty (burst / rate), r = whole tokens left, t = seconds until it is
 * full again. `monthly` is the API-call quota of the calendar month (UTC):
 * q = calls, w = length of the month, r = calls left, t = seconds to the
 * reset. `bandwidth` (download routes only) is the same in bytes, with
 * qu="content-bytes". Unlimited quotas are not advertised.
 */

export interface PolicyFigure {
  name: string;
  quota: number;
  windowSec: number;
  remaining: number;
  resetSec: number;
  unit?: 'requests' | 'content-bytes';
}

export interface RateLimitFields {
  'RateLimit-Policy': string;
  RateLimit: string;
}

/** Both fields, built on every limited request: plain concatenation, no intermediate arrays. */
export function rateLimitHeaders(figures: readonly PolicyFigure[]): RateLimitFields {
  let policy = '';
  let state = '';
  for (let i = 0; i < figures.length; i++) {
    const f = figures[i]!;
    const sep = i === 0 ? '' : ', ';
    const unit = f.unit && f.unit !== 'requests' ? `;qu="${f.unit}"` : '';
    policy += `${sep}"${f.name}";q=${f.quota}${unit};w=${f.windowSec}`;
    state += `${sep}"${f.name}";r=${Math.max(0, f.remaining)};t=${Math.max(0, f.resetSec)}`;
  }
  return { 'RateLimit-Policy': policy, RateLimit: state };
}

/** Reads one `RateLimit` member back (for clients and tests): `{ r, t }` of the named policy, or null. */
export function parseRateLimit(header: string | null, name: string): { r: number; t: number } | null {
  if (!header) return null;
  for (const item of header.split(',')) {
    const [label, ...params] = item.trim().split(';');
    if (label !== `"${name}"`) continue;
    const p = Object.fromEntries(params.map((kv) => kv.split('=') as [string, string]));
    return { r: Number(p.r), t: Number(p.t) };
  }
  return null;
}
