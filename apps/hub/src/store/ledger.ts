/**
 * @module store/ledger
 * What every domain change writes beside itself, in the same transaction:
 * one sealed audit entry, and optionally events (the outbox) and usage rows.
 * Domain store methods take these as `Effects`, so "the change happened" and
 * "it was recorded" can never disagree.
 *
 * The audit entry arrives sealed (seq, prev_hash, hash computed by
 * audit/chain.ts with Web Crypto); the store inserts it only if the chain head
 * is still `seq - 1` with hash `prevHash`, else throws AuditRaceError and the
 * whole change rolls back, so the caller can reseal and retry.
 */

export interface AuditEntry {
  seq: number;
  time: string;
  /** Account id, or `system` / `cli` for actions outside a request. */
  actor: string;
  /** Dotted verb, e.g. `release.publish`. */
  action: string;
  /** The id acted on. */
  subject: string;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface NewEvent {
  type: string;
  datasetId: string | null;
  /** Who may read it; null: everyone entitled to the dataset. */
  accountId: string | null;
  payload: Record<string, unknown>;
  createdAt: string;
}

export interface EventRecord extends NewEvent {
  id: number;
}

export interface NewUsage {
  accountId: string;
  kind: 'upload' | 'download';
  datasetId: string;
  releaseId: string;
  bytes: number;
  sha256: string;
  createdAt: string;
}

export interface UsageRecord extends NewUsage {
  id: number;
}

export interface Effects {
  audit: AuditEntry;
  events?: NewEvent[];
  usage?: NewUsage[];
}

/** Another writer appended to the audit chain first; reseal and retry. */
export class AuditRaceError extends Error {
  constructor() {
    super('the audit chain moved while this change was prepared');
    this.name = 'AuditRaceError';
  }
}

export interface AuditHead {
  seq: number;
  hash: string;
}

export interface AuditStore {
  /** The last entry's seq and hash; `{ seq: 0, hash: GENESIS }` on an empty log is the caller's job. */
  head(): Promise<AuditHead | null>;
  /** Appends an entry that records no other change (e.g. a CLI action). */
  append(entry: AuditEntry): Promise<void>;
  /** Entries with seq > `afterSeq`, ascending, at most `limit`. */
  list(afterSeq: number, limit: number): Promise<AuditEntry[]>;
}

export interface UsageStore {
  /** Records usage that changes nothing else (a download URL issued). */
  record(usage: NewUsage): Promise<void>;
  listByAccount(accountId: string, opts: { since?: string; limit: number }): Promise<UsageRecord[]>;
}

export interface EventStore {
  /** Events with id > `afterId`, ascending. */
  list(afterId: number, limit: number): Promise<EventRecord[]>;
}
