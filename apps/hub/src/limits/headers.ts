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
 * The last text found is tried first: a busy hub answers mostly one tier and route kind.
 */
let lastPolicy = -1;
function policyText(figures: readonly PolicyFigure[]): string {
  if (lastPolicy >= 0 && lastPolicy < policyTexts.length && samePolicy(policyTexts[lastPolicy]!.figures, figures)) return policyTexts[lastPolicy]!.text;
  for (let i = 0; i < policyTexts.length; i++) {
    if (samePolicy(policyTexts[i]!.figures, figures)) {
      lastPolicy = i;
      return policyTexts[i]!.text;
    }
  }
  let text = '';
  for (const f of figures) {
    const unit = f.unit && f.unit !== 'requests' ? `;qu="${f.unit}"` : '';
    text += `${text ? ', ' : ''}"${f.name}";q=${f.quota}${unit};w=${f.windowSec}`;
  }
  if (policyTexts.length >= POLICY_TEXTS_MAX) policyTexts.shift();
  policyTexts.push({ figures: figures.map((f) => ({ ...f })), text });
  lastPolicy = policyTexts.length - 1;
  return text;
}

/** Below 2^30 V8 formats a number as a small integer; above, as a double (~5x slower). */
const SMALL_INT = 0x3fffffff;

/**
 * `String(n)` for the whole numbers of the RateLimit field, faster for large ones (byte
 * counts, big quotas): two small integers formatted instead of one double. Same text.
 */
export function intText(n: number): string {
  if (n <= SMALL_INT || !Number.isSafeInteger(n)) return `${n}`;
  const high = Math.floor(n / 1e8);
  // + 1e8 then drop the 1: the low eight digits with their leading zeros.
  return `${high}${`${n - high * 1e8 + 1e8}`.slice(1)}`;
}

/** Both fields; built on every limited request. */
export function rateLimitHeaders(figures: readonly PolicyFigure[]): RateLimitFields {
  let state = '';
  for (let i = 0; i < figures.length; i++) {
    const f = figures[i]!;
    state += (i === 0 ? '"' : ', "') + f.name + '";r=' + intText(Math.max(0, f.remaining)) + ';t=' + intText(Math.max(0, f.resetSec));
  }
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
