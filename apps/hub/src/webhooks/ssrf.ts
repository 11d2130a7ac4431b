/**
 * @module webhooks/ssrf
 * The SSRF guard for webhook targets. Outside development mode a target must
 * be https, carry no credentials, and every address it reaches must be a
 * public unicast one: not loopback, private (RFC 1918), link-local (incl.
 * cloud metadata 169.254.169.254), CGNAT 100.64/10, multicast, reserved,
 * unique-local fc00::/7, or an IPv4 address hidden inside IPv6 (mapped,
 * NAT64, 6to4). Literal IPs are checked here; DNS answers are checked by the
 * runtime's sender before each connection (the same `isPublicAddress`), so a
 * name that later resolves to a private address is refused at delivery.
 */

export type SsrfReason = 'NOT_HTTPS' | 'CREDENTIALS' | 'PRIVATE_ADDRESS' | 'BAD_URL';

export class WebhookTargetError extends Error {
  readonly code: SsrfReason;
  constructor(code: SsrfReason, message: string) {
    super(message);
    this.name = 'WebhookTargetError';
    this.code = code;
  }
}

function parseV4(s: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : null;
}

function v4Public(a: number[]): boolean {
  const [x, y] = [a[0]!, a[1]!];
  if (x === 0 || x === 10 || x === 127) return false;
  if (x === 100 && y >= 64 && y <= 127) return false; // CGNAT
  if (x === 169 && y === 254) return false; // link-local, metadata
  if (x === 172 && y >= 16 && y <= 31) return false;
  if (x === 192 && y === 168) return false;
  if (x === 192 && y === 0 && (a[2] === 0 || a[2] === 2)) return false; // IETF, TEST-NET-1
  if (x === 198 && (y === 18 || y === 19)) return false; // benchmarking
  if (x === 198 && y === 51 && a[2] === 100) return false;
  if (x === 203 && y === 0 && a[2] === 113) return false;
  if (x >= 224) return false; // multicast, reserved, broadcast
  return true;
}

/** Expands an IPv6 literal (no brackets, optional zone) to 8 groups; null if not IPv6. */
function parseV6(s: string): number[] | null {
  const addr = s.replace(/%.*$/, '').toLowerCase();
  if (!/^[0-9a-f:.]+$/.test(addr) || !addr.includes(':')) return null;
  let tail: number[] = [];
  let head = addr;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(addr);
  if (v4) {
    const p = parseV4(v4[1]!);
    if (!p) return null;
    tail = [(p[0]! << 8) | p[1]!, (p[2]! << 8) | p[3]!];
    head = addr.slice(0, -v4[1]!.length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === '' ? [] : h.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - left.length - right.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return null;
  const all = [...left, ...Array<number>(halves.length === 2 ? fill : 0).fill(0), ...right, ...tail];
  return all.length === 8 && all.every((g) => Number.isInteger(g)) ? all : null;
}

function v6Public(g: number[]): boolean {
  const embedded = (hi: number, lo: number) => v4Public([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  if (g.every((x) => x === 0)) return false; // ::
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return false; // ::1
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) return embedded(g[6]!, g[7]!); // mapped / compatible
  if (g[0] === 0x64 && g[1] === 0xff9b) return embedded(g[6]!, g[7]!); // NAT64
  if (g[0] === 0x2002) return embedded(g[1]!, g[2]!); // 6to4
  if ((g[0]! & 0xfe00) === 0xfc00) return false; // unique-local
  if ((g[0]! & 0xffc0) === 0xfe80) return false; // link-local
  if ((g[0]! & 0xff00) === 0xff00) return false; // multicast
  if (g[0] === 0x2001 && g[1] === 0xdb8) return false; // documentation
  if (g[0] === 0x100 && g[1] === 0 && g[2] === 0 && g[3] === 0) return false; // discard
  return true;
}

/** True for an IP literal that may be reached; false for any non-public or unparsable address. */
export function isPublicAddress(ip: string): boolean {
  const v4 = parseV4(ip);
  if (v4) return v4Public(v4);
  const v6 = parseV6(ip);
  return v6 ? v6Public(v6) : false;
}

/** The host of a URL as an IP literal, or null for a name. */
export function literalIp(host: string): string | null {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return parseV4(h) || parseV6(h) ? h : null;
}

/**
 * Checks what can be checked without DNS; returns the parsed URL. In
 * development mode any http(s) URL passes (local receivers on 127.0.0.1).
 */
export function checkWebhookTarget(raw: string, devMode: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookTargetError('BAD_URL', 'not a valid URL');
  }
  if (url.protocol !== 'https:' && !(devMode && url.protocol === 'http:')) {
    throw new WebhookTargetError('NOT_HTTPS', 'webhook URLs must use https');
  }
  if (url.username || url.password) throw new WebhookTargetError('CREDENTIALS', 'webhook URLs must not carry credentials');
  if (devMode) return url;
  const host = url.hostname.toLowerCase();
  const ip = literalIp(host);
  if (ip !== null ? !isPublicAddress(ip) : host === 'localhost' || host.endsWith('.localhost') || !host.includes('.')) {
    throw new WebhookTargetError('PRIVATE_ADDRESS', `webhook target ${host} is not a public address`);
  }
  return url;
}
