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

/** Recently built RateLimit-Policy texts: a hub has few distinct ones (tiers x routes x month lengths). */
const policyTexts: { figures: PolicyFigure[]; text: string }[] = [];
const POLICY_TEXTS_MAX = 64;

function samePolicy(a: readonly PolicyFigure[], b: readonly PolicyFigure[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name || x.quota !== y.quota || x.windowSec !== y.windowSec || x.unit !== y.unit) return false;
  }
  return true;
}

/**
 * RateLimit-Policy depends only on quotas and windows, which rarely change, so it is
 * remembered; formatting large numbers was most of the cost of the two fields.
 */
function policyText(figures: readonly PolicyFigure[]): string {
  for (const p of policyTexts) if (samePolicy(p.figures, figures)) return p.text;
  let text = '';
  for (const f of figures) {
    const unit = f.unit && f.unit !== 'requests' ? `;qu="${f.unit}"` : '';
    text += `${text ? ', ' : ''}"${f.name}";q=${f.quota}${unit};w=${f.windowSec}`;
  }
  if (policyTexts.length >= POLICY_TEXTS_MAX) policyTexts.shift();
  policyTexts.push({ figures: figures.map((f) => ({ ...f })), text });
  return text;
}

/** Both fields; built on every limited request. */
export function rateLimitHeaders(figures: readonly PolicyFigure[]): RateLimitFields {
  let state = '';
  for (const f of figures) state += `${state ? ', ' : ''}"${f.name}";r=${Math.max(0, f.remaining)};t=${Math.max(0, f.resetSec)}`;
  return { 'RateLimit-Policy': policyText(figures), RateLimit: state };
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
