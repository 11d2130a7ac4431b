/**
 * @module engine/handlers
 * The desktop API's method table in Node: one entry per contract method,
 * each a thin call into the services. Arguments arrive already parsed by the
 * contract (see engine/index `call`); errors are thrown as DesktopError or
 * whatever the service threw, and mapped by the caller.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { DesktopHandlers } from '../shared/contract.js';
import { DesktopError } from '../shared/result.js';
import type { FileRef } from '../shared/methods.js';
import type { EngineParts } from './parts.js';

async function resolveFile(parts: EngineParts, ref: FileRef): Promise<{ path: string; name?: string; size: number; deleteAfter?: boolean }> {
  if (ref.kind === 'path') {
    if (!isAbsolute(ref.path)) throw new DesktopError('FILE_ERROR', `Give the full path of the file (${ref.path} is relative).`);
    const info = await stat(ref.path).catch(() => null);
    if (!info?.isFile()) throw new DesktopError('FILE_ERROR', `${ref.path} is not a file that can be read.`);
    return { path: ref.path, size: info.size };
  }
  const path = parts.uploadPath(ref.uploadId);
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new DesktopError('NOT_FOUND', `The uploaded file ${ref.name} is no longer available; upload it again.`);
  return { path, name: ref.name, size: info.size, deleteAfter: true };
}

export function createHandlers(parts: EngineParts): DesktopHandlers {
  const { session, settings, catalog, producer, data, queue, sync, host } = parts;
  const watchList = () => settings.get().watch;
  return {
    'app.info': async () => ({ mode: host.mode, version: parts.version, platform: process.platform, home: parts.home }),

    'session.status': () => session.status(),
    'session.signIn': (a) => session.signIn(a),
    'session.signUp': (a) => session.signUp(a),
    'session.signOut': () => session.signOut(),

    'identity.show': async () => {
      const id = await session.identity();
      if (!id) throw new DesktopError('NOT_FOUND', 'This machine has no identity yet; it is made at your first sign-in.');
      return id;
    },

    'catalog.list': (a) => catalog.list(a),
    'catalog.detail': (a) => catalog.detail(a.datasetId),
    'catalog.subscribe': async (a) => {
      const v = await catalog.subscribe(a);
      parts.emit({ type: 'subscriptions.changed' });
      return v;
    },

    'subscriptions.list': () => catalog.subscriptions(),
    'subscriptions.unsubscribe': async (a) => {
      const v = await catalog.unsubscribe(a.subscriptionId);
      parts.emit({ type: 'subscriptions.changed' });
      return v;
    },

    'data.tables': async () => data.tables(),
    'data.page': async (a) => data.page(a),
    'data.sql': async (a) => data.sql(a),
    'data.exportCsv': async (a) => {
      if (a.path) {
        if (!isAbsolute(a.path)) throw new DesktopError('FILE_ERROR', 'Give the full path to save the CSV to.');
        return { kind: 'saved' as const, path: a.path, rows: await data.exportCsv(a.table, a.path) };
      }
      if (host.chooseExportPath) {
        const path = await host.chooseExportPath(`${a.table}.csv`);
        if (!path) return { kind: 'cancelled' as const };
        return { kind: 'saved' as const, path, rows: await data.exportCsv(a.table, path) };
      }
      if (!host.offerDownload) throw new DesktopError('UNSUPPORTED', 'Exporting needs a file path here.');
      const dir = join(parts.home, 'desktop', 'exports');
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const path = join(dir, `${randomUUID()}.csv`);
      await data.exportCsv(a.table, path);
      const fileName = `${a.table}.csv`;
      return { kind: 'download' as const, url: host.offerDownload(path, fileName), fileName };
    },

    'files.pick': async (a) => {
      if (!host.pickFiles) throw new DesktopError('UNSUPPORTED', 'There is no file dialog in the browser; drop or choose files to upload instead.');
      const paths = await host.pickFiles(a);
      if (!paths) throw new DesktopError('CANCELLED', 'No file was chosen.');
      return { paths };
    },

    'publish.datasets': () => producer.list(),
    'publish.createDataset': (a) => producer.create(a),
    'publish.files': async (a) => {
      await producer.dataset(a.datasetId);
      const files = [];
      for (const ref of a.files) files.push(await resolveFile(parts, ref));
      return { queued: await queue.add(a.datasetId, files, 'user') };
    },
    'publish.history': (a) => producer.history(a.datasetId, queue.fileNames()),
    'publish.queue': async () => ({ items: queue.list() }),
    'publish.retry': async (a) => {
      const item = await queue.retry(a.id);
      if (!item) throw new DesktopError('NOT_FOUND', 'No failed upload with that id.');
      return item;
    },
    'publish.clearFinished': async () => ({ items: await queue.clearFinished() }),
    'publish.setWatchFolder': async (a) => {
      await producer.dataset(a.datasetId);
      const others = watchList().filter((w) => w.datasetId !== a.datasetId);
      if (a.folder === null) {
        await settings.update({ watch: others });
        return { datasetId: a.datasetId, watch: null };
      }
      if (!isAbsolute(a.folder)) throw new DesktopError('FILE_ERROR', 'Give the full path of the folder to watch.');
      const info = await stat(a.folder).catch(() => null);
      if (!info?.isDirectory()) throw new DesktopError('FILE_ERROR', `${a.folder} is not a folder.`);
      const watch = { datasetId: a.datasetId, folder: a.folder, stableSeconds: a.stableSeconds ?? settings.get().watchStableSeconds };
      await parts.watcher.baseline(a.folder);
      await settings.update({ watch: [...others, watch] });
      return { datasetId: a.datasetId, watch };
    },

    'subscribers.list': (a) => producer.subscribers(a.datasetId),
    'subscribers.approve': (a) => producer.decide('approve', a.subscriptionId, a.reason),
    'subscribers.reject': (a) => producer.decide('reject', a.subscriptionId, a.reason),
    'subscribers.suspend': (a) => producer.decide('suspend', a.subscriptionId, a.reason),
    'subscribers.reinstate': (a) => producer.decide('reinstate', a.subscriptionId, a.reason),

    'settings.get': async () => settings.view(),
    'settings.set': async (a) => {
      const hubChanged = a.hubUrl !== undefined && a.hubUrl.replace(/\/+$/, '') !== settings.get().hubUrl;
      const libraryChanged = a.libraryPath !== undefined && a.libraryPath !== settings.get().libraryPath;
      await settings.update(a);
      if (a.startAtLogin !== undefined) host.setStartAtLogin?.(a.startAtLogin);
      if (libraryChanged) data.close();
      if (hubChanged) await session.resume();
      else if (libraryChanged) await parts.restartSync();
      return settings.view();
    },
    'settings.webhookGet': () => parts.webhook.get(),
    'settings.webhookSet': (a) => parts.webhook.set(a.url),

    'sync.state': async () => sync.state(),
    'sync.arrivals': async (a) => ({ items: sync.latest(a.limit) }),
    'sync.now': async () => {
      await parts.restartSync();
      return sync.state();
    },
  };
}
