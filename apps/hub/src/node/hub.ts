/**
 * @module node/hub
 * Assembles the hub on Node from settings: data directory, secrets file,
 * SQLite store, blob store (local disk by default, S3 with DME_BLOB=s3),
 * docs assets; and serves it with @hono/node-server.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { createApp } from '../app.js';
import type { BlobStore } from '../blob/types.js';
import { consoleLogger, systemClock } from '../deps.js';
import type { HubDeps } from '../deps.js';
import { createIdSource } from '../ids.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { SqliteStore } from '../store/sqlite/index.js';
import { ensureFirstAdmin } from './admin.js';
import { startEventDelivery } from './events.js';
import { startFreshnessScheduler } from '../freshness/scheduler.js';
import type { EventDelivery } from './events.js';
import { localStoreFromDir, s3StoreFromEnv } from './blob/factories.js';
import { localBlobRoutes } from './blob/local-routes.js';
import { loadDocsAssets } from './docs-assets.js';
import { loadOrCreateSecrets } from './secrets-file.js';
import type { HubSettings } from './settings.js';

export const DB_FILE = 'hub.db';
export const BLOB_DIR = 'blobs';

/** Creates the data directory (0700) and opens the database in it. */
export function openStore(settings: HubSettings): SqliteStore {
  mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  return openSqliteStore(join(settings.dataDir, DB_FILE), { backgroundCheckpoints: true });
}

export interface NodeHub {
  app: ReturnType<typeof createApp>;
  deps: HubDeps;
  store: SqliteStore;
}

export function buildHub(settings: HubSettings, publicUrl: string, env: Record<string, string | undefined>, store: SqliteStore): NodeHub {
  const { secrets } = loadOrCreateSecrets(settings.dataDir);
  let blobs: BlobStore;
  let blobRoutes: Hono | undefined;
  if (settings.blob === 's3') {
    blobs = s3StoreFromEnv(env);
  } else {
    mkdirSync(join(settings.dataDir, BLOB_DIR), { recursive: true, mode: 0o700 });
    const local = localStoreFromDir(join(settings.dataDir, BLOB_DIR), secrets.urlSigningSecret, publicUrl);
    blobs = local;
    blobRoutes = localBlobRoutes(local);
  }
  const docs = loadDocsAssets();
  const deps: HubDeps = {
    store,
    blobs,
    clock: systemClock,
    ids: createIdSource(systemClock),
    config: {
      ...secrets,
      publicUrl,
      passwordIterations: settings.passwordIterations,
      maxJsonBodyBytes: 1024 * 1024,
      accessTokenTtlSec: 15 * 60,
      refreshTokenTtlSec: 30 * 24 * 3600,
      devMode: settings.devMode,
    },
    logger: consoleLogger,
    ...(docs ? { docs } : {}),
    ...(blobRoutes ? { blobRoutes } : {}),
  };
  return { app: createApp(deps), deps, store };
}

export interface RunningHub {
  url: string;
  hub: NodeHub;
  server: ServerType;
  close(): Promise<void>;
}

/** How long a stopping hub waits for requests in flight before it closes their connections. */
const CLOSE_GRACE_MS = 3_000;

/**
 * Listens first, then builds the app: with port 0 the public URL (which blob
 * URLs embed) is only known once bound. Requests before that get 503.
 */
export async function startHub(settings: HubSettings, env: Record<string, string | undefined>): Promise<RunningHub> {
  const store = openStore(settings);
  let hub: NodeHub | undefined;
  const server = await new Promise<ServerType>((resolveServer, reject) => {
    const s = serve(
      {
        // `env` carries the Node socket, which the rate limiter reads the client address from.
        fetch: (req, env) => (hub ? hub.app.fetch(req, env) : new Response(JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'starting' } }), { status: 503 })),
        hostname: settings.host,
        port: settings.port,
      },
      () => resolveServer(s),
    );
    s.once('error', reject);
  }).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `http://${hostForUrl}:${port}`;
  let delivery: EventDelivery | undefined;
  let freshness: { stop(): Promise<void> } | undefined;
  const close = () =>
    new Promise<void>((done) => {
      // Open event streams never end by themselves: end them (and the webhook worker) first.
      const stopped = Promise.all([delivery?.stop(), freshness?.stop()]);
      void stopped.then(() => {
        server.close(() => {
          void store.close().then(done);
        });
        // Requests in flight get a moment to finish; a connection that still holds on
        // (a client that never reads its response) must not keep the hub from stopping.
        const cut = setTimeout(() => (server as { closeAllConnections?: () => void }).closeAllConnections?.(), CLOSE_GRACE_MS);
        cut.unref();
      });
    });
  try {
    const built = buildHub(settings, settings.publicUrl ?? url, env, store);
    if (settings.firstAdmin) {
      await ensureFirstAdmin({ store, ids: built.deps.ids, clock: built.deps.clock, passwordIterations: settings.passwordIterations }, settings.firstAdmin);
    }
    delivery = startEventDelivery(built.deps, env);
    freshness = startFreshnessScheduler(built.deps);
    hub = built;
    return { url, hub: built, server, close };
  } catch (err) {
    await close();
    throw err;
  }
}
