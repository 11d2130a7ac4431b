/**
 * @module sdk/client-http
 * The request core of the typed hub client: one `send` that adds the bearer
 * credential, sends JSON, parses the answer with a protocol schema, and turns
 * the protocol's error body into HubError (status, code, message, details).
 *
 * Retries (bounded, exponential backoff with jitter): idempotent methods
 * (GET, PUT, DELETE, HEAD) on network errors and on 429/502/503/504 (honouring
 * Retry-After); POST only on network errors that happened before any response
 * arrived. Web-standard only: runs in browsers, workers and Node.
 */
import type { z } from 'zod';
import { ErrorBodySchema } from '../protocol/error.js';

export class HubError extends Error {
  constructor(
    /** HTTP status; 0 when no response arrived (network error). */
    readonly status: number,
    /** The protocol's stable error code (`NETWORK` / `BAD_RESPONSE` for client-side failures). */
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

export type Credential = string | (() => string | undefined | Promise<string | undefined>) | undefined;

export interface HttpOptions {
  baseUrl: string;
  fetch?: typeof fetch;
  /** Access token (JWT) or API key `dme_…`, or a function returning the current one. */
  credential?: Credential;
  /** Retries after the first attempt (default 3). */
  retries?: number;
  /** First backoff in ms (default 200); doubles per retry, capped at 10 s, jittered. */
  backoffMs?: number;
  /** Replaceable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

export interface Request<T> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Schema of a 2xx body; omit for 204 answers. */
  schema?: z.ZodType<T>;
  /** Send no credential even if one is configured (public routes). */
  anonymous?: boolean;
  signal?: AbortSignal;
}

const RETRY_STATUS = new Set([429, 502, 503, 504]);
const IDEMPOTENT = new Set(['GET', 'PUT', 'DELETE', 'HEAD']);

/**
 * Whether an error thrown by fetch is the network failing (fetch's TypeError,
 * or an abort or timeout of that one request), which a later attempt may get
 * past. Anything else the fetch function throws is its own decision (a
 * session whose login ended) and is passed on, not retried.
 */
export function isTransportFailure(err: unknown): boolean {
  const name = err instanceof Error ? err.name : '';
  return err instanceof TypeError || name === 'AbortError' || name === 'TimeoutError';
}

export function backoff(attempt: number, baseMs: number): number {
  const ceiling = Math.min(10_000, baseMs * 2 ** Math.min(attempt - 1, 20));
  return ceiling * (0.5 + Math.random() / 2);
}

function retryAfterMs(res: Response): number | null {
  const v = res.headers.get('retry-after');
  if (!v) return null;
  const sec = Number(v);
  if (Number.isFinite(sec)) return Math.min(60_000, Math.max(0, sec * 1000));
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.min(60_000, Math.max(0, at - Date.now()));
}

async function errorOf(res: Response): Promise<HubError> {
  const text = await res.text().catch(() => '');
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: a proxy or a server outside the protocol; report the status.
  }
  const body = ErrorBodySchema.safeParse(parsed);
  if (body.success) return new HubError(res.status, body.data.error.code, body.data.error.message, body.data.error.details);
  const loose = parsed as { error?: { code?: unknown; message?: unknown } } | null;
  if (typeof loose?.error?.code === 'string') return new HubError(res.status, loose.error.code, String(loose.error.message ?? loose.error.code));
  return new HubError(res.status, 'BAD_RESPONSE', `hub answered ${res.status} ${res.statusText}`.trim());
}

export class HttpCore {
  readonly baseUrl: string;
  readonly #fetch: typeof fetch;
  #credential: Credential;
  readonly #retries: number;
  readonly #backoffMs: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(opts: HttpOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.#fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#credential = opts.credential;
    this.#retries = opts.retries ?? 3;
    this.#backoffMs = opts.backoffMs ?? 200;
    this.#sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  setCredential(credential: Credential): void {
    this.#credential = credential;
  }

  async #bearer(): Promise<string | undefined> {
    const c = this.#credential;
    return typeof c === 'function' ? c() : c;
  }

  url(path: string, query?: Request<unknown>['query']): string {
    const u = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  async send<T>(req: Request<T>): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    const bearer = req.anonymous ? undefined : await this.#bearer();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    const init: RequestInit = { method: req.method, headers };
    if (req.body !== undefined) init.body = JSON.stringify(req.body);
    if (req.signal) init.signal = req.signal;
    const url = this.url(req.path, req.query);
    const idempotent = IDEMPOTENT.has(req.method);
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.#fetch(url, init);
      } catch (err) {
        if (req.signal?.aborted || !isTransportFailure(err)) throw err;
        if (attempt >= this.#retries) {
          throw new HubError(0, 'NETWORK', `cannot reach the hub at ${this.baseUrl}: ${err instanceof Error ? err.message : String(err)}`);
        }
        await this.#sleep(backoff(attempt + 1, this.#backoffMs));
        continue;
      }
      if (res.ok) return this.#parse(res, req.schema);
      if (idempotent && RETRY_STATUS.has(res.status) && attempt < this.#retries) {
        const wait = retryAfterMs(res) ?? backoff(attempt + 1, this.#backoffMs);
        await res.body?.cancel();
        await this.#sleep(wait);
        continue;
      }
      throw await errorOf(res);
    }
  }

  async #parse<T>(res: Response, schema: z.ZodType<T> | undefined): Promise<T> {
    if (!schema) {
      await res.body?.cancel();
      return undefined as T;
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw new HubError(res.status, 'BAD_RESPONSE', 'hub answered with a body that is not JSON');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new HubError(res.status, 'BAD_RESPONSE', `hub response does not match the protocol at ${first?.path.join('.') || '$'}: ${first?.message ?? ''}`);
    }
    return parsed.data;
  }
}
