/**
 * @module store/admin
 * Cross-account queries and changes behind /v1/admin. Every list is keyset
 * paged by id over an index, so a page costs the same on 10 or 100,000 rows.
 * Every change writes its audit entry in the same transaction (`Effects`).
 */
import type { AccountStatus, DatasetStatus, Feature, SubscriptionStatus, Tier } from '@dme/core/protocol';
import type { DatasetRecord } from './datasets.js';
import type { Effects } from './ledger.js';
import type { SubscriptionRecord } from './subscriptions.js';
import type { AccountRecord } from './types.js';

export interface AccountQuery {
  /** Substring of email, display name or organization (ASCII case-insensitive). */
  q?: string;
  tier?: Tier;
  status?: AccountStatus;
  feature?: Feature;
  afterId?: string;
  limit: number;
}

export interface UsageQuery {
  accountId?: string;
  datasetId?: string;
  /** YYYY-MM */
  month?: string;
  limit: number;
}

export interface UsageTotal {
  accountId: string;
  datasetId: string;
  month: string;
  kind: 'upload' | 'download';
  count: number;
  bytes: number;
}

export interface AdminStore {
  listAccounts(query: AccountQuery): Promise<AccountRecord[]>;
  /** null when the account does not exist. */
  setTier(id: string, tier: Tier, now: string, effects: Effects): Promise<AccountRecord | null>;
  /** Replaces the account's whole set of feature flags. */
  setFeatures(id: string, features: readonly Feature[], now: string, effects: Effects): Promise<AccountRecord | null>;
  setStatus(id: string, status: AccountStatus, now: string, effects: Effects): Promise<AccountRecord | null>;
  /** Revokes every live API key of the account; returns how many. */
  revokeApiKeys(accountId: string, now: string, effects: Effects): Promise<number>;
  listDatasets(query: { status?: DatasetStatus; afterId?: string; limit: number }): Promise<DatasetRecord[]>;
  /** Any status; conditional on `from` (null: changed meanwhile). Moving to ARCHIVED cancels live subscriptions and deletes their grants. */
  setDatasetStatus(id: string, from: DatasetStatus, to: DatasetStatus, now: string, effects: Effects): Promise<DatasetRecord | null>;
  listSubscriptions(query: { status?: SubscriptionStatus; afterId?: string; limit: number }): Promise<SubscriptionRecord[]>;
  usageTotals(query: UsageQuery): Promise<UsageTotal[]>;
}
