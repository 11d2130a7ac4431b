/**
 * @module shared/models
 * The view models the desktop API returns: what the screens show, shaped for
 * them (not the hub's wire models, which the engine maps from). Web-standard,
 * zod only, so main, preload, renderer and agent can all import it.
 * Times are ISO 8601 strings; sizes are bytes; ids are the hub's ids.
 */
import { z } from 'zod';

export const Id = z.string().min(1).max(64);
export const Timestamp = z.string().min(1);
export const Count = z.number().int().nonnegative();

export const FILE_FORMATS = ['csv', 'tsv', 'ndjson', 'json'] as const;
export const FileFormat = z.enum(FILE_FORMATS);
export const IMPORT_MODES = ['snapshot', 'incremental'] as const;
export const ImportMode = z.enum(IMPORT_MODES);
export const COLUMN_TYPES = ['integer', 'real', 'text', 'boolean', 'date', 'datetime', 'phone_e164'] as const;

// ---- session and identity ----------------------------------------------------

export const AccountView = z.object({
  id: Id,
  email: z.string(),
  displayName: z.string(),
  organization: z.string().optional(),
  producer: z.boolean(),
  consumer: z.boolean(),
  admin: z.boolean(),
});
export type AccountView = z.infer<typeof AccountView>;

/** Where the account's secrets live on this machine. */
export const KeyStorage = z.enum(['keychain', 'file', 'none']);

export const IdentityView = z.object({
  /** age recipient (age1…), shared with the hub. */
  recipient: z.string(),
  /** Short fingerprint of the recipient, to compare out of band. */
  ageFingerprint: z.string(),
  /** ed25519:<base64url> public signing key. */
  signingKey: z.string(),
  signingFingerprint: z.string(),
  storage: KeyStorage,
  /** Set when secrets fell back to a file (no OS keychain): say so to the user. */
  warning: z.string().optional(),
  /** Whether the hub holds these public keys for the account. */
  registered: z.boolean(),
});
export type IdentityView = z.infer<typeof IdentityView>;

export const SessionStatus = z.object({
  signedIn: z.boolean(),
  hubUrl: z.string(),
  account: AccountView.optional(),
  identity: IdentityView.optional(),
});
export type SessionStatus = z.infer<typeof SessionStatus>;

// ---- catalog and subscriptions ---------------------------------------------------

export const SUBSCRIPTION_STATES = ['pending', 'approved', 'active', 'suspended', 'cancelled', 'rejected'] as const;
export const SubscriptionState = z.enum(SUBSCRIPTION_STATES);
export type SubscriptionState = z.infer<typeof SubscriptionState>;

export const ColumnView = z.object({ name: z.string(), type: z.string(), nullable: z.boolean().optional(), description: z.string().optional() });
export type ColumnView = z.infer<typeof ColumnView>;

export const CatalogItem = z.object({
  id: Id,
  name: z.string(),
  description: z.string(),
  producerId: Id,
  producerName: z.string().optional(),
  category: z.string(),
  tags: z.array(z.string()),
  format: FileFormat,
  importMode: ImportMode,
  expectedUpdateIntervalSeconds: z.number().int().optional(),
  lastReleaseAt: Timestamp.optional(),
  /** The signed-in consumer's subscription to it, if any. */
  subscription: z.object({ id: Id, state: SubscriptionState }).optional(),
});
export type CatalogItem = z.infer<typeof CatalogItem>;

export const Freshness = z.object({
  /** 0..1, 1 = released on schedule; absent when the dataset has no schedule. */
  score: z.number().min(0).max(1).optional(),
  late: z.boolean(),
  lastReleaseAt: Timestamp.optional(),
  nextExpectedAt: Timestamp.optional(),
});
export type Freshness = z.infer<typeof Freshness>;

export const DatasetDetail = CatalogItem.extend({
  compression: z.string(),
  columns: z.array(ColumnView),
  /** Where `columns` came from: the dataset's declared schema, the newest release's profile, or nowhere yet. */
  columnsFrom: z.enum(['dataset', 'release', 'none']),
  keyColumns: z.array(z.string()),
  coverage: z.string().optional(),
  /** Absent when the hub could not say (the rest of the detail still shows). */
  freshness: Freshness.optional(),
  releaseCount: Count.optional(),
});
export type DatasetDetail = z.infer<typeof DatasetDetail>;

export const LastRelease = z.object({ id: Id, importedAt: Timestamp, rows: Count });

export const SubscriptionView = z.object({
  id: Id,
  datasetId: Id,
  datasetName: z.string(),
  producerId: Id,
  producerName: z.string().optional(),
  state: SubscriptionState,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  reason: z.string().optional(),
  /** Newest release imported into the local library. */
  lastRelease: LastRelease.optional(),
  /** Rows in the local table now. */
  rows: Count.optional(),
  /** Local table name, to open it on the Data screen. */
  table: z.string().optional(),
});
export type SubscriptionView = z.infer<typeof SubscriptionView>;

// ---- producer side ------------------------------------------------------------

export const WatchFolder = z.object({
  datasetId: Id,
  folder: z.string(),
  /** A file is published once its size has not changed for this long. */
  stableSeconds: z.number().int().min(1).max(3600),
});
export type WatchFolder = z.infer<typeof WatchFolder>;

export const MyDataset = z.object({
  id: Id,
  name: z.string(),
  description: z.string(),
  status: z.string(),
  format: FileFormat,
  importMode: ImportMode,
  keyColumns: z.array(z.string()),
  expectedUpdateIntervalSeconds: z.number().int().optional(),
  lastReleaseAt: Timestamp.optional(),
  watch: WatchFolder.optional(),
});
export type MyDataset = z.infer<typeof MyDataset>;

export const ReleaseView = z.object({
  id: Id,
  datasetId: Id,
  status: z.enum(['uploading', 'published', 'failed']),
  createdAt: Timestamp,
  publishedAt: Timestamp.optional(),
  recordCount: Count.optional(),
  sizeBytes: Count.optional(),
  fileName: z.string().optional(),
});
export type ReleaseView = z.infer<typeof ReleaseView>;

export const QUEUE_STATES = ['queued', 'profiling', 'uploading', 'completing', 'done', 'failed'] as const;
export const QueueState = z.enum(QUEUE_STATES);

export const QueueItem = z.object({
  id: Id,
  datasetId: Id,
  fileName: z.string(),
  state: QueueState,
  /** Bytes of the current phase: the file's while profiling, the encrypted payload's from uploading on (so a finished item shows the payload size). */
  bytesDone: Count,
  bytesTotal: Count,
  releaseId: Id.optional(),
  recordCount: Count.optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  addedAt: Timestamp,
  updatedAt: Timestamp,
  /** 'watch' when the watch folder queued it. */
  source: z.enum(['user', 'watch']),
});
export type QueueItem = z.infer<typeof QueueItem>;

export const SubscriberView = z.object({
  id: Id,
  datasetId: Id,
  datasetName: z.string(),
  consumerId: Id,
  consumerName: z.string().optional(),
  state: SubscriptionState,
  message: z.string().optional(),
  reason: z.string().optional(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  /** History grants written by this call (approve / reinstate). */
  grantsWritten: Count.optional(),
});
export type SubscriberView = z.infer<typeof SubscriberView>;

// ---- library, sync, settings ---------------------------------------------------------

/** A cell crossing the boundary: integers beyond 2^53 and blobs arrive as strings. */
export const Cell = z.union([z.string(), z.number(), z.null()]);
export type Cell = z.infer<typeof Cell>;

export const TableView = z.object({
  name: z.string(),
  datasetId: Id.optional(),
  datasetName: z.string().optional(),
  rows: Count,
  columns: z.array(ColumnView),
  lastImportAt: Timestamp.optional(),
});
export type TableView = z.infer<typeof TableView>;

export const Arrival = z.object({
  datasetId: Id,
  datasetName: z.string(),
  releaseId: Id,
  rows: Count,
  /** Producer's display name (or id when unknown). */
  producer: z.string(),
  table: z.string(),
  importedAt: Timestamp,
});
export type Arrival = z.infer<typeof Arrival>;

/** `receive-off`: the account does not receive data (publisher only), so there is nothing to sync. */
export const SYNC_STATUSES = ['signed-out', 'stopped', 'receive-off', 'connecting', 'idle', 'syncing', 'offline', 'error'] as const;
export const SyncStatus = z.enum(SYNC_STATUSES);
export type SyncStatus = z.infer<typeof SyncStatus>;

export const SyncState = z.object({
  status: SyncStatus,
  /** What is being worked on now, when syncing. */
  current: z
    .object({
      datasetId: Id,
      releaseId: Id,
      phase: z.enum(['download', 'verify', 'decrypt', 'import']),
      bytesDone: Count,
      bytesTotal: Count,
      rows: Count,
    })
    .optional(),
  /** Releases waiting behind the current one. */
  queued: Count,
  lastError: z.string().optional(),
  since: Timestamp,
});
export type SyncState = z.infer<typeof SyncState>;

export const Settings = z.object({
  hubUrl: z.string(),
  libraryPath: z.string(),
  startAtLogin: z.boolean(),
  notifications: z.boolean(),
  /** Default for new watch folders. */
  watchStableSeconds: z.number().int().min(1).max(3600),
});
export type Settings = z.infer<typeof Settings>;

export const WebhookView = z.object({
  /** False where this account cannot have a webhook (tier, role); `unavailable` then says why, in words. */
  available: z.boolean(),
  unavailable: z.string().optional(),
  url: z.string().nullable(),
  enabled: z.boolean(),
  /** The signing secret, present only in the answer that created it (shown once). */
  secret: z.string().optional(),
});
export type WebhookView = z.infer<typeof WebhookView>;

export const AppInfo = z.object({
  mode: z.enum(['electron', 'browser']),
  version: z.string(),
  platform: z.string(),
  home: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;
