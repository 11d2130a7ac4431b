/**
 * @module client/session
 * Where the CLI talks to and as whom: DME_HUB_URL (default
 * http://127.0.0.1:8787), DME_HOME, and credentials — DME_API_KEY when set
 * (used as the bearer, no login), otherwise the access + refresh tokens of
 * `dme login`, kept per hub URL in the OS keychain when one is usable, else
 * in $DME_HOME/session.json (mode 0600).
 *
 * `HubSession.fetch` adds the bearer to requests for the hub's own origin
 * only (never to a signed blob or S3 URL), refreshes the access token when it
 * has expired or the hub answers 401, and saves the rotated pair before
 * retrying once. Invariant: tokens are never logged or put in argv.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuthSessionSchema, type AuthSession } from '../protocol/auth.js';
import { writeFileAtomically } from '../fs/atomic-file.js';
import { nodeFetch } from '../net/node-fetch.js';
import { NodeHeaders } from '../net/node-response.js';
import { dmeHome } from '../identity/store.js';
import { openKeychain, type Keychain } from '../identity/keychain.js';
import { ClientError } from './errors.js';

export const DEFAULT_HUB_URL = 'http://127.0.0.1:8787';
const SESSION_FILE = 'session.json';
/** Refresh a little before the access token's stated expiry, not after a wasted 401. */
const EXPIRY_SLACK_MS = 30_000;

export interface ClientConfig {
  hubUrl: string;
  home: string;
  apiKey: string | undefined;
  env: NodeJS.ProcessEnv;
}

export function clientConfig(env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const raw = (env.DME_HUB_URL || DEFAULT_HUB_URL).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ClientError('BAD_INPUT', `DME_HUB_URL is not a URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ClientError('BAD_INPUT', `DME_HUB_URL must be http(s): ${raw}`);
  return { hubUrl: raw, home: dmeHome(env), apiKey: env.DME_API_KEY || undefined, env };
}

export interface StoredTokens {
  accountId: string;
  email: string;
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

/** Tokens per hub URL, in the keychain or a 0600 file. */
export interface TokenStore {
  readonly where: string;
  load(): Promise<StoredTokens | null>;
  save(tokens: StoredTokens): Promise<void>;
  clear(): Promise<void>;
}

function keychainStore(keychain: Keychain, hubUrl: string): TokenStore {
  const account = `session:${hubUrl}`;
  return {
    where: 'OS keychain (service "DME")',
    async load() {
      const text = await keychain.get(account);
      return text ? (JSON.parse(text) as StoredTokens) : null;
    },
    save: (tokens) => keychain.set(account, JSON.stringify(tokens)),
    async clear() {
      await keychain.delete(account);
    },
  };
}

function fileStore(home: string, hubUrl: string): TokenStore {
  const path = join(home, SESSION_FILE);
  const readAll = async (): Promise<Record<string, StoredTokens>> => {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as Record<string, StoredTokens>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new ClientError('BAD_INPUT', `${path} is unreadable (${(err as Error).message}); delete it and log in again`);
    }
  };
  const writeAll = async (all: Record<string, StoredTokens>): Promise<void> => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(home, { recursive: true, mode: 0o700 });
    await writeFileAtomically(path, async (out) => void out.end(`${JSON.stringify(all, null, 2)}\n`), { mode: 0o600 });
  };
  return {
    where: path,
    load: async () => (await readAll())[hubUrl] ?? null,
    async save(tokens) {
      await writeAll({ ...(await readAll()), [hubUrl]: tokens });
    },
    async clear() {
      const all = await readAll();
      if (!(hubUrl in all)) return;
      delete all[hubUrl];
      await writeAll(all);
    },
  };
}

export async function openTokenStore(config: ClientConfig): Promise<TokenStore> {
  const keychain = await openKeychain(config.env);
  return keychain ? keychainStore(keychain, config.hubUrl) : fileStore(config.home, config.hubUrl);
}

export function tokensOf(session: AuthSession): StoredTokens {
  return {
    accountId: session.account.id,
    email: session.account.email,
    accessToken: session.accessToken,
    accessTokenExpiresAt: session.accessTokenExpiresAt,
    refreshToken: session.refreshToken,
    refreshTokenExpiresAt: session.refreshTokenExpiresAt,
  };
}

/** An authenticated connection to one hub, from DME_API_KEY or the stored login. */
export class HubSession {
  private refreshing: Promise<void> | null = null;
  /** Why the stored login stopped working (the hub refused its refresh token), once it has. */
  private ended: string | null = null;

  private constructor(
    readonly config: ClientConfig,
    readonly store: TokenStore,
    private tokens: StoredTokens | null,
    /** The fetch used for everything (tests inject one). */
    private readonly baseFetch: typeof fetch,
  ) {}

  static async open(config: ClientConfig, baseFetch: typeof fetch = nodeFetch): Promise<HubSession> {
    const store = await openTokenStore(config);
    const tokens = config.apiKey ? null : await store.load();
    return new HubSession(config, store, tokens, baseFetch);
  }

  get loggedIn(): boolean {
    return Boolean(this.config.apiKey || this.tokens);
  }

  get via(): 'api-key' | 'login' | 'none' {
    return this.config.apiKey ? 'api-key' : this.tokens ? 'login' : 'none';
  }

  /** Unauthenticated fetch, for signed URLs and the auth endpoints. */
  get plainFetch(): typeof fetch {
    return this.baseFetch;
  }

  async remember(session: AuthSession): Promise<void> {
    this.tokens = tokensOf(session);
    this.ended = null;
    await this.store.save(this.tokens);
  }

  async forget(): Promise<StoredTokens | null> {
    const old = this.tokens;
    this.tokens = null;
    // Signed out on purpose: requests go out as for someone who never signed in.
    this.ended = null;
    await this.store.clear();
    return old;
  }

  get refreshToken(): string | undefined {
    return this.tokens?.refreshToken;
  }

  private bearer(): string {
    if (this.config.apiKey) return this.config.apiKey;
    if (!this.tokens) throw new ClientError('NOT_LOGGED_IN', `not logged in to ${this.config.hubUrl}; run \`dme login\` or set DME_API_KEY`);
    return this.tokens.accessToken;
  }

  private async refresh(used: string): Promise<void> {
    this.refreshing ??= (async () => {
      // Another process may have rotated the pair already: its tokens are the live ones.
      const stored = await this.store.load();
      if (stored && stored.refreshToken !== used) {
        this.tokens = stored;
        return;
      }
      const res = await this.baseFetch(`${this.config.hubUrl}/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refreshToken: used }),
      });
      if (!res.ok) {
        await res.body?.cancel();
        this.tokens = null;
        this.ended = `the session for ${this.config.hubUrl} has ended; run \`dme login\``;
        await this.store.clear();
        throw new ClientError('NOT_LOGGED_IN', this.ended);
      }
      const parsed = AuthSessionSchema.safeParse(await res.json());
      if (!parsed.success) throw new ClientError('BAD_RESPONSE', 'the hub answered the token refresh with an unexpected body');
      await this.remember(parsed.data);
    })().finally(() => {
      this.refreshing = null;
    });
    await this.refreshing;
  }

  private ours(url: string): boolean {
    return url === this.config.hubUrl || url.startsWith(`${this.config.hubUrl}/`);
  }

  /** fetch with the bearer for the hub's origin; refreshes once on expiry or 401. */
  readonly fetch: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    // After the login ended, a request sent without it would only earn the hub's "missing Authorization"
    // (what `dme sync` printed when a second request raced the refused refresh): say what happened instead.
    if (this.ours(url) && !this.loggedIn && this.ended) throw new ClientError('NOT_LOGGED_IN', this.ended);
    if (!this.ours(url) || !this.loggedIn) return this.baseFetch(input, init);
    const send = (): Promise<Response> => {
      const headers = new NodeHeaders(init?.headers);
      headers.set('Authorization', `Bearer ${this.bearer()}`);
      return this.baseFetch(input, { ...init, headers });
    };
    const tokens = this.tokens;
    if (tokens && !this.config.apiKey && Date.parse(tokens.accessTokenExpiresAt) - EXPIRY_SLACK_MS <= Date.now()) {
      await this.refresh(tokens.refreshToken);
    }
    const res = await send();
    if (res.status !== 401 || this.config.apiKey || !this.tokens) return res;
    await res.body?.cancel();
    await this.refresh(this.tokens.refreshToken);
    return send();
  };
}
