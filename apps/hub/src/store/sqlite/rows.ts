/**
 * @module store/sqlite/rows
 * Row shapes and their mapping to store records, shared by the per-domain
 * files. The account SELECT folds the feature flags in with one subquery, so
 * an authenticated request costs one statement.
 */
import type { ApiKeyScope, Feature } from '@dme/core/protocol';
import type { AccountRecord, ApiKeyRecord } from '../types.js';
import type { SubscriptionRecord } from '../subscriptions.js';

export const ACCOUNT_COLUMNS = `a.id, a.email, a.password_hash, a.display_name, a.organization, a.tier, a.status,
  a.age_recipient, a.signing_public_key, a.keys_updated_at, a.created_at, a.updated_at,
  (SELECT group_concat(f.feature) FROM account_features f WHERE f.account_id = a.id) AS features`;

export interface AccountRow {
  id: string;
  email: string;
  password_hash: string;
  display_name: string;
  organization: string | null;
  tier: AccountRecord['tier'];
  status: AccountRecord['status'];
  age_recipient: string | null;
  signing_public_key: string | null;
  keys_updated_at: string | null;
  created_at: string;
  updated_at: string;
  features: string | null;
}

export function toAccount(r: AccountRow): AccountRecord {
  return {
    id: r.id,
    email: r.email,
    passwordHash: r.password_hash,
    displayName: r.display_name,
    organization: r.organization,
    features: r.features ? (r.features.split(',').sort() as Feature[]) : [],
    tier: r.tier,
    status: r.status,
    ageRecipient: r.age_recipient,
    signingPublicKey: r.signing_public_key,
    keysUpdatedAt: r.keys_updated_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface ApiKeyRow {
  id: string;
  account_id: string;
  name: string;
  scopes: string;
  secret_hash: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

export function toApiKey(r: ApiKeyRow): ApiKeyRecord {
  return {
    id: r.id,
    accountId: r.account_id,
    name: r.name,
    scopes: JSON.parse(r.scopes) as ApiKeyScope[],
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
  };
}

/** better-sqlite3 reports constraint failures with these codes. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && 'code' in err && (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
}

export interface SubscriptionRow {
  id: string;
  dataset_id: string;
  consumer_id: string;
  producer_id: string;
  status: SubscriptionRecord['status'];
  decided_by: string | null;
  approved_by: string | null;
  message: string | null;
  reason: string | null;
  created_at: string;
  updated_at: string;
}

export const toSubscription = (r: SubscriptionRow): SubscriptionRecord => ({
  id: r.id,
  datasetId: r.dataset_id,
  consumerId: r.consumer_id,
  producerId: r.producer_id,
  status: r.status,
  decidedBy: r.decided_by,
  approvedBy: r.approved_by,
  message: r.message,
  reason: r.reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
