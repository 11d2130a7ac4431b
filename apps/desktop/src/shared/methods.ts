/**
 * @module shared/methods
 * Every method of the desktop API: its name, the zod schema of its arguments
 * and of its result value. The one table main (IPC), the agent (HTTP) and the
 * renderer's proxy are all driven by. Arguments are strict objects: unknown
 * members are refused, so a typo fails loudly instead of being ignored.
 */
import { z } from 'zod';
import * as m from './models.js';

const none = z.strictObject({});
const hubUrl = z.url({ protocol: /^https?$/ }).max(2000);
const reasoned = z.strictObject({ subscriptionId: m.Id, reason: z.string().max(1000).optional() });

/** A file to publish: a local path (Electron, or a path typed by the user) or a browser upload. */
export const FileRef = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('path'), path: z.string().min(1).max(4096) }),
  /** `uploadId` comes from POST /api/upload on the agent. */
  z.strictObject({ kind: z.literal('upload'), uploadId: z.string().min(1).max(128), name: z.string().min(1).max(255) }),
]);
export type FileRef = z.infer<typeof FileRef>;

export const SignInArgs = z.union([
  z.strictObject({ hubUrl: hubUrl.optional(), email: z.string().min(3).max(254), password: z.string().min(1).max(1024) }),
  z.strictObject({ hubUrl: hubUrl.optional(), apiKey: z.string().min(8).max(512) }),
]);

export const CreateDatasetArgs = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(10_000).optional(),
  category: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/).max(64).optional(),
  tags: z.array(z.string().trim().min(1).max(40)).max(20).optional(),
  format: m.FileFormat,
  importMode: m.ImportMode.default('snapshot'),
  keyColumns: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).max(64)).max(16).optional(),
  expectedUpdateIntervalSeconds: z.number().int().min(60).max(366 * 86_400).optional(),
  /** Publish it in the catalog right away (otherwise it stays a draft). */
  publish: z.boolean().default(true),
});

const SqlPage = z.object({ columns: z.array(z.string()), rows: z.array(z.array(m.Cell)), truncated: z.boolean(), elapsedMs: z.number() });

export const ExportResult = z.discriminatedUnion('kind', [
  /** Browser mode: the agent serves the CSV at this URL (token-checked, one use). */
  z.object({ kind: z.literal('download'), url: z.string(), fileName: z.string() }),
  /** Electron (or an explicit path): written to disk. */
  z.object({ kind: z.literal('saved'), path: z.string(), rows: m.Count }),
  z.object({ kind: z.literal('cancelled') }),
]);

function method<A extends z.ZodType, R extends z.ZodType>(args: A, result: R) {
  return { args, result };
}

export const METHODS = {
  'app.info': method(none, m.AppInfo),

  'session.status': method(none, m.SessionStatus),
  'session.signIn': method(SignInArgs, m.SessionStatus),
  'session.signUp': method(
    z.strictObject({
      hubUrl: hubUrl.optional(),
      email: z.string().min(3).max(254),
      password: z.string().min(10, 'password must be at least 10 characters').max(1024),
      displayName: z.string().trim().min(1).max(100),
      organization: z.string().trim().min(1).max(200).optional(),
      producer: z.boolean().default(false),
      consumer: z.boolean().default(true),
    }),
    m.SessionStatus,
  ),
  'session.signOut': method(none, m.SessionStatus),

  'identity.show': method(none, m.IdentityView),

  'catalog.list': method(
    z.strictObject({ q: z.string().max(200).optional(), cursor: z.string().max(200).optional(), limit: z.number().int().min(1).max(200).optional() }),
    z.object({ items: z.array(m.CatalogItem), nextCursor: z.string().optional() }),
  ),
  'catalog.detail': method(z.strictObject({ datasetId: m.Id }), m.DatasetDetail),
  'catalog.subscribe': method(z.strictObject({ datasetId: m.Id, message: z.string().max(1000).optional() }), m.SubscriptionView),

  'subscriptions.list': method(none, z.object({ items: z.array(m.SubscriptionView) })),
  'subscriptions.unsubscribe': method(z.strictObject({ subscriptionId: m.Id }), m.SubscriptionView),

  'data.tables': method(none, z.object({ libraryPath: z.string(), tables: z.array(m.TableView) })),
  'data.page': method(
    z.strictObject({
      table: z.string().min(1).max(128),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(100),
      orderBy: z.string().min(1).max(128).optional(),
      desc: z.boolean().default(false),
    }),
    z.object({ table: z.string(), columns: z.array(m.ColumnView), rows: z.array(z.array(m.Cell)), total: m.Count }),
  ),
  /** Read-only: statements that write are refused with READ_ONLY. */
  'data.sql': method(z.strictObject({ sql: z.string().min(1).max(100_000), limit: z.number().int().min(1).max(10_000).default(1000) }), SqlPage),
  'data.exportCsv': method(z.strictObject({ table: z.string().min(1).max(128), path: z.string().min(1).max(4096).optional() }), ExportResult),

  /** Electron only (native open-file dialog); browser mode answers UNSUPPORTED and uploads instead. */
  'files.pick': method(z.strictObject({ multiple: z.boolean().default(true), title: z.string().max(200).optional() }), z.object({ paths: z.array(z.string()) })),

  'publish.datasets': method(none, z.object({ items: z.array(m.MyDataset) })),
  'publish.createDataset': method(CreateDatasetArgs, m.MyDataset),
  /** Queues the files and returns at once; progress arrives as `transfer` and `publish.queue` events. */
  'publish.files': method(z.strictObject({ datasetId: m.Id, files: z.array(FileRef).min(1).max(100) }), z.object({ queued: z.array(m.QueueItem) })),
  'publish.history': method(z.strictObject({ datasetId: m.Id }), z.object({ items: z.array(m.ReleaseView) })),
  'publish.queue': method(none, z.object({ items: z.array(m.QueueItem) })),
  'publish.retry': method(z.strictObject({ id: m.Id }), m.QueueItem),
  'publish.clearFinished': method(none, z.object({ items: z.array(m.QueueItem) })),
  /** folder null turns watching off. */
  'publish.setWatchFolder': method(
    z.strictObject({ datasetId: m.Id, folder: z.string().min(1).max(4096).nullable(), stableSeconds: z.number().int().min(1).max(3600).optional() }),
    z.object({ datasetId: m.Id, watch: m.WatchFolder.nullable() }),
  ),

  'subscribers.list': method(z.strictObject({ datasetId: m.Id.optional() }), z.object({ items: z.array(m.SubscriberView) })),
  'subscribers.approve': method(reasoned, m.SubscriberView),
  'subscribers.reject': method(reasoned, m.SubscriberView),
  'subscribers.suspend': method(reasoned, m.SubscriberView),
  'subscribers.reinstate': method(reasoned, m.SubscriberView),

  'settings.get': method(none, m.Settings),
  'settings.set': method(
    z.strictObject({
      hubUrl: hubUrl.optional(),
      libraryPath: z.string().min(1).max(4096).optional(),
      startAtLogin: z.boolean().optional(),
      notifications: z.boolean().optional(),
      watchStableSeconds: z.number().int().min(1).max(3600).optional(),
    }),
    m.Settings,
  ),
  'settings.webhookGet': method(none, m.WebhookView),
  /** url null removes the webhook. */
  'settings.webhookSet': method(z.strictObject({ url: z.url({ protocol: /^https?$/ }).max(2000).nullable() }), m.WebhookView),

  'sync.state': method(none, m.SyncState),
  'sync.arrivals': method(z.strictObject({ limit: z.number().int().min(1).max(100).default(10) }), z.object({ items: z.array(m.Arrival) })),
  /** Catch up now (also happens at start and on every DATA_PUBLISHED). */
  'sync.now': method(none, m.SyncState),
} as const;
