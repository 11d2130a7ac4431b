/**
 * @module engine
 * The desktop engine: the whole DesktopApi in Node, without Electron, on top
 * of @dme/core. Electron main and the browser-mode agent are two transports
 * over the same `call`. Invariant: `call` never throws and never lets a
 * stack trace out — every failure becomes `{ ok: false, error: { code,
 * message } }` with words for the user.
 *
 *   const engine = await createDesktopEngine({ home, env });
 *   const res = await engine.call('catalog.list', { q: 'phone' });
 *   engine.on((event) => …);   // push channel
 *   await engine.close();
 */
import { isAbsolute, join } from 'node:path';
import { stat } from 'node:fs/promises';
import { publishFile } from '@dme/core/client';
import { loadSecrets } from '@dme/core/identity';
import { DESKTOP_METHODS, isDesktopMethod, METHODS, parseArgs, type DesktopHandlers } from '../shared/contract.js';
import { err, ok, DesktopError, type Result } from '../shared/result.js';
import type { DesktopEvent } from '../shared/events.js';
import { EventBus, type EventListener } from './bus.js';
import { CatalogService } from './catalog.js';
import { LibraryData } from './data.js';
import { toApiError } from './errors.js';
import { createHandlers } from './handlers.js';
import type { EngineParts, HostHooks } from './parts.js';
import { ProducerService } from './producer.js';
import { PublishQueue, type Publisher } from './queue.js';
import { SessionManager } from './session.js';
import { SettingsStore } from './settings.js';
import { coreSyncEngine, SyncService, type SyncEngineFactory } from './sync.js';
import { FolderWatcher } from './watch.js';
import { WebhookService } from './webhook.js';

export type { HostHooks } from './parts.js';
export { toApiError } from './errors.js';

export interface DesktopEngineOptions {
  /** $DME_HOME: identity, session, desktop.json, queue, sync state. */
  home: string;
  env?: NodeJS.ProcessEnv;
  host?: HostHooks;
  fetch?: typeof fetch;
  syncEngine?: SyncEngineFactory;
  version?: string;
  /** How often pending history grants are fulfilled (default 30 s; 0 = never). */
  grantsEveryMs?: number;
  /** Check every result against the contract too (tests). */
  checkResults?: boolean;
  /** Log for failures the user sees only as words (default: stderr). */
  log?: (msg: string) => void;
}

export interface DesktopEngine {
  readonly home: string;
  readonly handlers: DesktopHandlers;
  call(method: string, args: unknown): Promise<Result<unknown>>;
  on(listener: EventListener): () => void;
  emit(event: DesktopEvent): void;
  /** Lets the host plug in dialogs, downloads, login items after creation. */
  setHost(hooks: Partial<HostHooks>): void;
  /** Where an agent upload with this id is stored (validated id). */
  uploadPath(uploadId: string): string;
  readonly parts: EngineParts;
  close(): Promise<void>;
}

export async function createDesktopEngine(opts: DesktopEngineOptions): Promise<DesktopEngine> {
  const env = opts.env ?? process.env;
  const home = opts.home;
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const bus = new EventBus();
  const emit = (e: DesktopEvent) => bus.emit(e);
  const host: HostHooks = { mode: 'browser', ...opts.host };
  const settings = await SettingsStore.open(home, env);
  const session = new SessionManager(home, env, settings, opts.fetch ?? fetch);
  const require = () => session.require();
  const libraryPath = () => {
    const p = settings.get().libraryPath;
    return isAbsolute(p) ? p : join(home, p);
  };
  const data = new LibraryData(libraryPath);
  const catalog = new CatalogService(require, data);
  const producer = new ProducerService(require, home, env, (id) => settings.get().watch.find((w) => w.datasetId === id));

  const publish: Publisher = async (item, progress) => {
    const { conn, account } = require();
    const dataset = await producer.dataset(item.datasetId);
    const { identity, secrets } = await loadSecrets(home, env);
    const phase = { profile: 'profiling', upload: 'uploading', complete: 'completing' } as const;
    // core reports the completion step as 0/1 then 1/1; the bar keeps the payload bytes uploaded instead.
    let payloadBytes = item.bytesTotal;
    const res = await publishFile({
      hub: conn.hub,
      accountId: account.id,
      identity,
      secrets,
      datasetId: dataset.id,
      file: item.path,
      format: dataset.format,
      keyColumns: dataset.keyColumns,
      uploadFetch: conn.session.plainFetch,
      onProgress: (p, done, total) => {
        if (p === 'complete') return progress(phase[p], payloadBytes, payloadBytes);
        if (p === 'upload') payloadBytes = total;
        progress(phase[p], done, total);
      },
    });
    return { releaseId: res.release.id, recordCount: res.release.recordCount };
  };
  const queue = await PublishQueue.open({
    dir: join(home, 'desktop'),
    publish,
    toError: toApiError,
    onChange: (items, current) => {
      emit({ type: 'publish.queue', items });
      if (current && (current.state === 'uploading' || current.state === 'done')) {
        emit({ type: 'transfer', id: current.id, direction: 'upload', datasetId: current.datasetId, fileName: current.fileName, bytesDone: current.bytesDone, bytesTotal: current.bytesTotal, done: current.state === 'done' });
      }
    },
    onError: (item, error) => emit({ type: 'error', error: { code: error.code, message: `${item.fileName}: ${error.message}` }, context: 'publish' }),
  });
  const watcher = new FolderWatcher(() => settings.get().watch, queue, Date.now, (w, e) => log(`watch folder ${w.folder}: ${(e as Error).message}`));
  const sync = new SyncService(opts.syncEngine ?? coreSyncEngine, emit, (id) => catalog.describe(id));

  const restartSync = async () => {
    if (!session.signedIn) return sync.stop('signed-out');
    const { conn, account } = require();
    if (!account.features.includes('DATA_CONSUMER')) return sync.stop('receive-off');
    let ageIdentity: string;
    try {
      ageIdentity = (await loadSecrets(home, env)).secrets.ageIdentity;
    } catch (e) {
      emit({ type: 'error', error: toApiError(e), context: 'sync' });
      return sync.stop();
    }
    // Not awaited past the start: the core engine's start() catches up first, which can take long.
    void sync.start({ home, hub: conn.hub, stream: { baseUrl: conn.config.hubUrl, fetch: conn.session.fetch }, secrets: { ageIdentity }, library: libraryPath() });
  };

  const uploadPath = (uploadId: string) => {
    if (!/^[A-Za-z0-9_-]{8,128}$/.test(uploadId)) throw new DesktopError('BAD_REQUEST', 'That upload id is not valid.');
    return join(queue.uploadsDir, uploadId);
  };

  const parts: EngineParts = { home, version: opts.version ?? '0.1.0', host, settings, session, catalog, producer, data, queue, watcher, sync, webhook: new WebhookService(require), emit, restartSync, uploadPath };
  const handlers = createHandlers(parts);

  session.onChange(() => {
    void session.status().then((status) => emit({ type: 'session', status }));
    void restartSync();
    if (session.signedIn) queue.kick();
  });

  const fulfil = async () => {
    if (!session.signedIn) return;
    try {
      const stored = await producer.fulfilPending();
      if (stored > 0) emit({ type: 'subscribers.changed' });
    } catch (e) {
      log(`fulfilling pending grants: ${toApiError(e).message}`);
    }
  };
  const grantsEvery = opts.grantsEveryMs ?? 30_000;
  const grantsTimer = grantsEvery > 0 ? setInterval(() => void fulfil(), grantsEvery) : null;
  grantsTimer?.unref();

  await session.resume().catch((e: unknown) => log(`restoring the session: ${toApiError(e).message}`));
  watcher.start();

  const call = async (method: string, args: unknown): Promise<Result<unknown>> => {
    if (!isDesktopMethod(method)) return err('UNKNOWN_METHOD', `There is no method called ${String(method).slice(0, 80)}.`);
    const parsed = parseArgs(method, args);
    if (!parsed.ok) return parsed;
    try {
      const handler = handlers[method] as (a: unknown) => Promise<unknown>;
      const value = await handler(parsed.value);
      if (opts.checkResults) {
        const check = METHODS[method].result.safeParse(value);
        if (!check.success) return err('INTERNAL', `${method} answered outside the contract: ${check.error.issues[0]?.path.join('.')}: ${check.error.issues[0]?.message}`);
      }
      return ok(value);
    } catch (e) {
      const error = toApiError(e);
      if (error.code === 'INTERNAL') log(`${method} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return { ok: false, error };
    }
  };

  return {
    home,
    handlers,
    call,
    on: (l) => bus.on(l),
    emit,
    setHost: (hooks) => Object.assign(host, hooks),
    uploadPath,
    parts,
    async close() {
      if (grantsTimer) clearInterval(grantsTimer);
      watcher.stop();
      await queue.stop();
      await sync.stop();
      data.close();
    },
  };
}

/** Methods the engine implements, for transports that list them. */
export const ENGINE_METHODS = DESKTOP_METHODS;
/** Whether a file exists and is readable, for hosts checking dialog results. */
export async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}
