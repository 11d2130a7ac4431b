/**
 * @module store/releases
 * Storage interface of releases and key grants. `publish` is THE atomic step
 * of the exchange: release → published, manifest and grants stored, the
 * dataset's last release moved, DATA_PUBLISHED appended, usage and audit
 * written, all or nothing.
 */
import type { Effects } from './ledger.js';
import type { SubscriptionStatus } from './subscriptions.js';

export type ReleaseStatus = 'uploading' | 'published' | 'failed';

export interface ReleaseRecord {
  id: string;
  datasetId: string;
  producerId: string;
  status: ReleaseStatus;
  payloadSize: number;
  /** Declared at start (optional); the manifest's value once published. */
  payloadSha256: string | null;
  blobKey: string;
  uploadId: string | null;
  /** The signed manifest (JSON value) once published. */
  manifest: unknown;
  profile: unknown;
  createdAt: string;
  publishedAt: string | null;
}

export interface GrantRecord {
  releaseId: string;
  accountId: string;
  recipient: string;
  /** Standard base64 of the age header. */
  header: string;
  createdAt: string;
}

export interface PublishInput {
  releaseId: string;
  manifest: unknown;
  profile: unknown;
  payloadSha256: string;
  grants: GrantRecord[];
  now: string;
}

/** Subscriptions to mark active once every listed release has their grant. */
export interface ActivationCheck {
  subscriptionId: string;
  consumerId: string;
  releaseIds: string[];
}

/** The columns of a release a download checks and records (no manifest or profile: they are large). */
export type ReleaseSummary = Pick<ReleaseRecord, 'id' | 'datasetId' | 'status' | 'payloadSize' | 'payloadSha256' | 'blobKey' | 'publishedAt'>;

/** What a download needs in one read: the release, the caller's live subscription status and grant. */
export interface DownloadAccess {
  release: ReleaseSummary;
  /** Status of the caller's live subscription to the release's dataset; null when none. */
  subscription: SubscriptionStatus | null;
  grant: GrantRecord | null;
}

export interface ReleaseStore {
  create(release: ReleaseRecord, effects: Effects): Promise<ReleaseRecord>;
  get(id: string): Promise<ReleaseRecord | null>;
  setUploadId(id: string, uploadId: string | null): Promise<void>;
  /** false when the release is not 'uploading' any more (nothing changed). */
  publish(input: PublishInput, effects: Effects): Promise<boolean>;
  /** Newest first; `since` bounds published_at from below (history window). */
  listByDataset(datasetId: string, opts: { status?: ReleaseStatus; since?: string; limit: number }): Promise<ReleaseRecord[]>;
  /** Published releases of the dataset since `since` without a grant for `accountId`. */
  listMissingGrants(datasetId: string, accountId: string, since: string | null): Promise<ReleaseRecord[]>;
  getGrant(releaseId: string, accountId: string): Promise<GrantRecord | null>;
  /** The release with `accountId`'s live subscription status and grant, in one statement; null if no such release. */
  downloadAccess(releaseId: string, accountId: string): Promise<DownloadAccess | null>;
  /** Upserts grants and then activates each check that is now covered, atomically. */
  putGrants(grants: GrantRecord[], activations: ActivationCheck[], now: string, effects: Effects): Promise<{ activated: string[] }>;
}
