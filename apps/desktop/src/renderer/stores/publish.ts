/**
 * The producer's side: my datasets, the publish queue (which survives a
 * restart, kept by the engine) and each dataset's release history. Browser
 * uploads to the agent are tracked here too, before the engine queues them.
 */
import { create } from 'zustand';
import type { ArgsIn, FileRef } from '../../shared/contract.js';
import type { MyDataset, QueueItem, ReleaseView } from '../../shared/models.js';
import { call, uploadFile } from '../api.js';
import { describeError } from '../errors.js';

/** A file on its way from the page to the agent (browser mode only). */
export interface LocalUpload {
  key: string;
  name: string;
  sent: number;
  total: number;
  error?: string;
}

interface PublishState {
  datasets: MyDataset[];
  selectedId: string | null;
  queue: QueueItem[];
  history: ReleaseView[];
  uploads: LocalUpload[];
  error: string | null;
  creating: boolean;
  load(): Promise<void>;
  select(id: string | null): Promise<void>;
  loadHistory(): Promise<void>;
  create(args: ArgsIn<'publish.createDataset'>): Promise<boolean>;
  publishBrowserFiles(files: File[]): Promise<void>;
  publishPaths(paths: string[]): Promise<void>;
  retry(id: string): Promise<void>;
  clearFinished(): Promise<void>;
  setQueue(items: QueueItem[]): void;
}

export const usePublish = create<PublishState>((set, get) => {
  async function queueRefs(files: FileRef[]) {
    const datasetId = get().selectedId;
    if (!datasetId || files.length === 0) return;
    try {
      const r = await call('publish.files', { datasetId, files });
      const known = new Set(r.queued.map((q) => q.id));
      set({ queue: [...get().queue.filter((q) => !known.has(q.id)), ...r.queued] });
    } catch (e) {
      set({ error: describeError(e) });
    }
  }
  function patchUpload(key: string, patch: Partial<LocalUpload>) {
    set({ uploads: get().uploads.map((u) => (u.key === key ? { ...u, ...patch } : u)) });
  }
  return {
    datasets: [],
    selectedId: null,
    queue: [],
    history: [],
    uploads: [],
    error: null,
    creating: false,
    async load() {
      try {
        const [ds, q] = await Promise.all([call('publish.datasets', {}), call('publish.queue', {})]);
        set({ datasets: ds.items, queue: q.items, error: null });
        const { selectedId } = get();
        const first = ds.items[0];
        if ((!selectedId || !ds.items.some((d) => d.id === selectedId)) && first) await get().select(first.id);
      } catch (e) {
        set({ error: describeError(e) });
      }
    },
    async select(id) {
      set({ selectedId: id, history: [] });
      await get().loadHistory();
    },
    async loadHistory() {
      const id = get().selectedId;
      if (!id) return;
      try {
        const r = await call('publish.history', { datasetId: id });
        if (get().selectedId === id) set({ history: r.items });
      } catch (e) {
        set({ error: describeError(e) });
      }
    },
    async create(args) {
      set({ creating: true, error: null });
      try {
        const ds = await call('publish.createDataset', args);
        set({ creating: false, datasets: [...get().datasets, ds] });
        await get().select(ds.id);
        return true;
      } catch (e) {
        set({ creating: false, error: describeError(e) });
        return false;
      }
    },
    async publishBrowserFiles(files) {
      const upload = uploadFile;
      if (!upload) return;
      const refs: FileRef[] = [];
      // One at a time: two shared cores, and the queue publishes in order anyway.
      for (const file of files) {
        const key = `${file.name}:${file.size}:${Date.now()}:${Math.random()}`;
        set({ uploads: [...get().uploads, { key, name: file.name, sent: 0, total: file.size }] });
        const r = await upload(file, (sent, total) => patchUpload(key, { sent, total }));
        if (r.ok) {
          patchUpload(key, { sent: file.size });
          refs.push({ kind: 'upload', uploadId: r.value.uploadId, name: r.value.name });
        } else {
          patchUpload(key, { error: describeError(r.error) });
        }
      }
      await queueRefs(refs);
      // Handed to the engine: its queue items show progress from here on.
      set({ uploads: get().uploads.filter((u) => u.error) });
    },
    publishPaths: (paths) => queueRefs(paths.map((path) => ({ kind: 'path', path }))),
    async retry(id) {
      try {
        const item = await call('publish.retry', { id });
        set({ queue: get().queue.map((q) => (q.id === id ? item : q)) });
      } catch (e) {
        set({ error: describeError(e) });
      }
    },
    async clearFinished() {
      try {
        set({ queue: (await call('publish.clearFinished', {})).items, uploads: get().uploads.filter((u) => !u.error) });
      } catch (e) {
        set({ error: describeError(e) });
      }
    },
    setQueue(items) {
      const before = get().queue;
      set({ queue: items });
      // A release of the open dataset just completed: its history grew.
      const selected = get().selectedId;
      const finished = items.some((q) => q.datasetId === selected && q.state === 'done' && before.find((b) => b.id === q.id)?.state !== 'done');
      if (finished) {
        void get().loadHistory();
        void call('publish.datasets', {}).then((r) => set({ datasets: r.items }), () => undefined);
      }
    },
  };
});
