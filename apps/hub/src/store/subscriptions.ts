/**
 * @module store/subscriptions
 * Storage interface of subscriptions. State changes are conditional on the
 * state the caller saw (`from`), so two racing decisions cannot both win;
 * the rules of which transitions exist live in the protocol, not here.
 */
import type { ActivationCheck, GrantRecord } from './releases.js';
import type { Effects } from './ledger.js';

export type SubscriptionStatus = 'pending' | 'approved' | 'active' | 'suspended' | 'cancelled' | 'rejected';

export const LIVE_SUBSCRIPTION_STATUSES = ['pending', 'approved', 'active', 'suspended'] as const;

export interface SubscriptionRecord {
  id: string;
  datasetId: string;
  consumerId: string;
  producerId: string;
  status: SubscriptionStatus;
  decidedBy: string | null;
  approvedBy: string | null;
  message: string | null;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
}

export type CreateSubscriptionResult =
  | { kind: 'created'; subscription: SubscriptionRecord }
  /** The consumer already has a live subscription to this dataset. */
  | { kind: 'duplicate'; existing: SubscriptionRecord }
  /** The consumer's live subscriptions already reach `limit`. */
  | { kind: 'limit' };

export interface TransitionInput {
  id: string;
  from: SubscriptionStatus;
  to: SubscriptionStatus;
  actor: string;
  now: string;
  reason?: string;
  /** Grants written with the change (approve/reinstate with history grants). */
  grants?: GrantRecord[];
  /** Then move to 'active' if these releases are all granted. */
  activate?: ActivationCheck;
  /** Delete the consumer's grants on this dataset's releases (suspend, cancel). */
  revokeGrants?: boolean;
}

export interface SubscriptionStore {
  /** `limit` null: unlimited. */
  create(subscription: SubscriptionRecord, limit: number | null, effects: Effects): Promise<CreateSubscriptionResult>;
  get(id: string): Promise<SubscriptionRecord | null>;
  /** The consumer's live subscription to the dataset, if any. */
  findLive(consumerId: string, datasetId: string): Promise<SubscriptionRecord | null>;
  listByConsumer(consumerId: string): Promise<SubscriptionRecord[]>;
  listByProducer(producerId: string, status?: SubscriptionStatus): Promise<SubscriptionRecord[]>;
  /** null when the subscription is no longer in `from` (nothing changed). */
  transition(input: TransitionInput, effects: Effects): Promise<SubscriptionRecord | null>;
}
