/**
 * @module store/types
 * The hub's storage interface, grouped by domain (`store.accounts`,
 * `store.sessions`, `store.apiKeys`; later `store.datasets` …). Async because
 * the Workers implementation sits on D1, which has batches but no interactive
 * transactions: so every change that must be atomic is ONE method here, and
 * callers never compose atomicity out of several calls.
 *
 * Timestamps are ISO-8601 UTC strings (they sort as text). Secrets never reach
 * the store: only SHA-256 hashes of refresh tokens and API keys, and PBKDF2
 * hashes of passwords.
 */
import type { AccountStatus, ApiKeyScope, Feature, Tier } from '@dme/core/protocol';
import type { DatasetStore } from './datasets.js';
import type { WebhookStore } from './deliveries.js';
import type { AuditStore, EventStore, UsageStore } from './ledger.js';
import type { ReleaseStore } from './releases.js';
import type { AdminStore } from './admin.js';
import type { AdminWebhookStore } from './admin-webhooks.js';
import type { FreshnessStore } from './freshness.js';
import type { QuotaStore } from './quotas.js';
import type { SubscriptionStore } from './subscriptions.js';

/** A unique constraint was violated (email taken …); routes answer 409 CONFLICT. */
export class StoreConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConflictError';
  }
}

export interface AccountRecord {
  id: string;
  /** Lowercased at the edge; unique. */
  email: string;
  passwordHash: string;
  displayName: string;
  organization: string | null;
  features: Feature[];
  tier: Tier;
  status: AccountStatus;
  ageRecipient: string | null;
  signingPublicKey: string | null;
  keysUpdatedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewAccount {
  id: string;
  email: string;
  passwordHash: string;
  displayName: string;
  organization: string | null;
  features: Feature[];
  now: string;
}

export interface AccountPatch {
  displayName?: string;
  /** null clears it. */
  organization?: string | null;
  /** Keys change together with `keysUpdatedAt`. */
  ageRecipient?: string;
  signingPublicKey?: string;
}

export interface AccountStore {
  /** Throws StoreConflictError if the email is taken. */
  create(account: NewAccount): Promise<AccountRecord>;
  getById(id: string): Promise<AccountRecord | null>;
  getByEmail(email: string): Promise<AccountRecord | null>;
  /** null when the account does not exist. */
  update(id: string, patch: AccountPatch, now: string): Promise<AccountRecord | null>;
  /** Idempotent; null when the account does not exist. */
  addFeature(id: string, feature: Feature, now: string): Promise<AccountRecord | null>;
  /** Creates the account as ADMIN only if no ADMIN exists yet (first run); null if one does. */
  createFirstAdmin(account: Omit<NewAccount, 'features'>): Promise<AccountRecord | null>;
  countAdmins(): Promise<number>;
}

export interface NewRefreshToken {
  id: string;
  tokenHash: string;
  expiresAt: string;
}

export type RotateResult =
  | { kind: 'rotated'; accountId: string; familyId: string }
  /** The token was already used: the family is now revoked (theft suspected). */
  | { kind: 'reused'; accountId: string; familyId: string }
  /** Unknown, expired, or its family was revoked. */
  | { kind: 'invalid' };

export interface SessionStore {
  /** Opens a session family with its first refresh token. */
  open(input: { familyId: string; accountId: string; token: NewRefreshToken; now: string }): Promise<void>;
  /**
   * Atomically consumes the token with `tokenHash` and stores `next` in the
   * same family; a token presented twice revokes its whole family.
   */
  rotate(input: { tokenHash: string; next: NewRefreshToken; now: string }): Promise<RotateResult>;
  /** Revokes the family of the token (logout). False if the token is unknown. */
  revokeByToken(tokenHash: string, now: string): Promise<boolean>;
  /** The account of a live (not revoked) family, for access-token checks. */
  accountOfActiveFamily(familyId: string): Promise<AccountRecord | null>;
}

export interface ApiKeyRecord {
  id: string;
  accountId: string;
  name: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export interface ApiKeyStore {
  create(key: ApiKeyRecord & { secretHash: string }): Promise<ApiKeyRecord>;
  /** Live (not revoked) keys of the account, newest first. Expired keys are listed (so they can be revoked). */
  listByAccount(accountId: string): Promise<ApiKeyRecord[]>;
  /** False when no live key with that id belongs to the account. */
  revoke(accountId: string, id: string, now: string): Promise<boolean>;
  /** A live key with its hash and owner, for authentication; null if unknown or revoked. */
  getForAuth(id: string): Promise<{ key: ApiKeyRecord; secretHash: string; account: AccountRecord } | null>;
  touch(id: string, now: string): Promise<void>;
}

export interface Store {
  accounts: AccountStore;
  sessions: SessionStore;
  apiKeys: ApiKeyStore;
  datasets: DatasetStore;
  releases: ReleaseStore;
  subscriptions: SubscriptionStore;
  audit: AuditStore;
  usage: UsageStore;
  events: EventStore;
  /** Monthly quota counters (limits/). */
  quotas: QuotaStore;
  /** Freshness checker state (freshness/). */
  freshness: FreshnessStore;
  /** Cross-account queries and changes for /v1/admin. */
  admin: AdminStore;
  webhooks: WebhookStore;
  /** Webhook health and re-enabling for /v1/admin/webhooks. */
  adminWebhooks: AdminWebhookStore;
  close(): Promise<void>;
}
