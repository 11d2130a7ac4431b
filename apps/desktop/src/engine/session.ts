/**
 * @module engine/session
 * Who the desktop is signed in as, on which hub. Reuses the core client's
 * session: login tokens go to the OS keychain (service "DME") through keytar
 * when usable, else to $DME_HOME/session.json (0600) — the client's own
 * fallback. An API key sign-in is kept in the same store under its own slot.
 *
 * First sign-in on a machine creates the account's age identity and signing
 * key (core `registerIdentity`) and registers the public halves on the hub;
 * a hub that already holds other keys is left alone and the identity view
 * says so (replacing them would strand every grant made to the old key).
 */
import { connect, openTokenStore, registerIdentity, type Connection, type TokenStore } from '@dme/core/client';
import { loadPublicIdentity } from '@dme/core/identity';
import { fingerprint, type Account, type AuthSession } from '@dme/core/protocol';
import { DesktopError } from '../shared/result.js';
import type { AccountView, IdentityView, SessionStatus } from '../shared/models.js';
import type { SettingsStore } from './settings.js';

const accountView = (a: Account): AccountView => ({
  id: a.id,
  email: a.email,
  displayName: a.displayName,
  ...(a.organization ? { organization: a.organization } : {}),
  producer: a.features.includes('DATA_PRODUCER'),
  consumer: a.features.includes('DATA_CONSUMER'),
  admin: a.features.includes('ADMIN'),
});

export class SessionManager {
  private conn: Connection | null = null;
  private account: Account | null = null;
  private keyWarning: string | undefined;
  private registered = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly home: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly settings: SettingsStore,
    private readonly baseFetch: typeof fetch = fetch,
  ) {}

  /** Called after every sign-in/out so sync, grants and the UI follow. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  private envFor(apiKey?: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...this.env, DME_HOME: this.home, DME_HUB_URL: this.settings.get().hubUrl };
    if (apiKey) env.DME_API_KEY = apiKey;
    else delete env.DME_API_KEY;
    return env;
  }

  /** The keychain/file slot holding an API key used to sign in (separate from login tokens). */
  private async apiKeyStore(): Promise<TokenStore> {
    const probe = await connect(this.envFor(), this.baseFetch);
    return openTokenStore({ ...probe.config, hubUrl: `api-key:${probe.config.hubUrl}` });
  }

  /** Restores a saved session (at start, or after the hub URL changed). Never throws for a dead session. */
  async resume(): Promise<void> {
    this.conn = null;
    this.account = null;
    const stored = await (await this.apiKeyStore()).load().catch(() => null);
    const conn = await connect(this.envFor(this.env.DME_API_KEY || stored?.accessToken), this.baseFetch);
    if (conn.session.loggedIn) {
      try {
        this.account = await conn.hub.profile();
        this.conn = conn;
        await this.register();
      } catch {
        // Expired or unreachable: the user signs in again (the status says signed out).
        this.conn = this.account ? conn : null;
      }
    }
    this.changed();
  }

  private async register(): Promise<void> {
    if (!this.conn) return;
    const reg = await registerIdentity(this.conn.hub, this.conn.config);
    this.registered = reg.status !== 'mismatch';
    this.keyWarning =
      reg.status === 'mismatch'
        ? 'The hub holds different keys for this account (made on another machine). Data shared with this account cannot be opened here until the keys match.'
        : 'warning' in reg && reg.warning
          ? `No OS keychain: your secret keys are stored in files in ${this.home}, readable only by you.`
          : this.keyWarning;
  }

  async signIn(args: { hubUrl?: string | undefined; email?: string; password?: string; apiKey?: string }): Promise<SessionStatus> {
    if (args.hubUrl) await this.settings.update({ hubUrl: args.hubUrl });
    if (args.apiKey) {
      const conn = await connect(this.envFor(args.apiKey), this.baseFetch);
      this.account = await conn.hub.profile();
      const now = new Date().toISOString();
      const far = new Date(Date.now() + 100 * 365 * 86_400_000).toISOString();
      await (await this.apiKeyStore()).save({ accountId: this.account.id, email: this.account.email, accessToken: args.apiKey, accessTokenExpiresAt: far, refreshToken: '', refreshTokenExpiresAt: now });
      this.conn = conn;
    } else {
      const conn = await connect(this.envFor(), this.baseFetch);
      const session = await conn.anonymous.login({ email: args.email ?? '', password: args.password ?? '' });
      await this.adopt(conn, session);
    }
    await this.register();
    this.changed();
    return this.status();
  }

  async signUp(args: { hubUrl?: string | undefined; email: string; password: string; displayName: string; organization?: string | undefined; producer: boolean; consumer: boolean }): Promise<SessionStatus> {
    if (args.hubUrl) await this.settings.update({ hubUrl: args.hubUrl });
    const conn = await connect(this.envFor(), this.baseFetch);
    const session = await conn.anonymous.signup({ email: args.email, password: args.password, displayName: args.displayName, ...(args.organization ? { organization: args.organization } : {}) });
    await this.adopt(conn, session);
    const hub = conn.hub;
    if (args.producer && !this.account!.features.includes('DATA_PRODUCER')) this.account = await hub.enableFeature('DATA_PRODUCER');
    if (args.consumer && !this.account!.features.includes('DATA_CONSUMER')) this.account = await hub.enableFeature('DATA_CONSUMER');
    await this.register();
    this.changed();
    return this.status();
  }

  private async adopt(conn: Connection, session: AuthSession): Promise<void> {
    await (await this.apiKeyStore()).clear();
    await conn.session.remember(session);
    this.conn = conn;
    this.account = session.account;
  }

  async signOut(): Promise<SessionStatus> {
    const conn = this.conn;
    if (conn) {
      const refresh = conn.session.refreshToken;
      if (refresh) await conn.anonymous.logout(refresh).catch(() => undefined);
      await conn.session.forget();
    }
    await (await this.apiKeyStore()).clear();
    this.conn = null;
    this.account = null;
    this.changed();
    return this.status();
  }

  get signedIn(): boolean {
    return this.conn !== null && this.account !== null;
  }

  /** The live connection; throws NOT_SIGNED_IN otherwise. */
  require(): { conn: Connection; account: Account } {
    if (!this.conn || !this.account) throw new DesktopError('NOT_SIGNED_IN', 'Sign in first.');
    return { conn: this.conn, account: this.account };
  }

  async identity(): Promise<IdentityView | undefined> {
    const id = await loadPublicIdentity(this.home);
    if (!id) return undefined;
    return {
      recipient: id.ageRecipient,
      ageFingerprint: fingerprint(id.ageRecipient),
      signingKey: id.signingPublicKey,
      signingFingerprint: fingerprint(id.signingPublicKey),
      storage: id.storage,
      registered: this.registered,
      ...(this.keyWarning ? { warning: this.keyWarning } : id.storage === 'file' ? { warning: `No OS keychain: your secret keys are stored in files in ${this.home}, readable only by you.` } : {}),
    };
  }

  async status(): Promise<SessionStatus> {
    const identity = await this.identity();
    return {
      signedIn: this.signedIn,
      hubUrl: this.settings.get().hubUrl,
      ...(this.account ? { account: accountView(this.account) } : {}),
      ...(identity ? { identity } : {}),
    };
  }
}
