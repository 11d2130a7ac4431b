/**
 * @module engine/queue
 * The publish queue: files waiting to be profiled, encrypted and uploaded,
 * one at a time, persisted in $DME_HOME/desktop/queue.json so it survives a
 * restart. Invariant: the file is rewritten atomically (temp + rename) on
 * every state change; an item caught mid-flight by a crash goes back to
 * `queued` at the next start and is published again from the start (the
 * hub never shows an unfinished release, so nothing is published twice).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { QueueItem as QueueItemSchema, type QueueItem } from '../shared/models.js';
import type { ApiError } from '../shared/result.js';

const StoredItem = QueueItemSchema.extend({ path: z.string(), deleteAfter: z.boolean().default(false) });
export type StoredItem = z.infer<typeof StoredItem>;
const StoredQueue = z.object({ items: z.array(StoredItem), seen: z.record(z.string(), z.string()).default({}) });

/** Publishes one file; reports bytes for the progress bar. */
export type Publisher = (item: StoredItem, progress: (state: QueueItem['state'], done: number, total: number) => void) => Promise<{ releaseId: string; recordCount: number }>;

export interface QueueHooks {
  dir: string;
  publish: Publisher;
  onChange: (items: QueueItem[], current?: StoredItem) => void;
  onError: (item: StoredItem, error: ApiError) => void;
  toError: (e: unknown) => ApiError;
}

const ACTIVE: QueueItem['state'][] = ['profiling', 'uploading', 'completing'];
/** Progress events at most this often per item; a bar does not need more. */
const PROGRESS_EVERY_MS = 200;

export class PublishQueue {
  private items: StoredItem[] = [];
  /** Watch-folder files already queued: path → "size:mtime". */
  seen: Record<string, string> = {};
  private running: Promise<void> | null = null;
  private stopped = false;
  private lastEmit = 0;

  private constructor(
    private readonly dir: string,
    private readonly publish: Publisher,
    private readonly onChange: QueueHooks['onChange'],
    private readonly onError: QueueHooks['onError'],
    private readonly toError: QueueHooks['toError'],
  ) {}

  static async open(opts: QueueHooks): Promise<PublishQueue> {
    const q = new PublishQueue(opts.dir, opts.publish, opts.onChange, opts.onError, opts.toError);
    try {
      const parsed = StoredQueue.safeParse(JSON.parse(await readFile(q.file, 'utf8')));
      if (parsed.success) {
        q.items = parsed.data.items.map((i) => (ACTIVE.includes(i.state) ? { ...i, state: 'queued' as const, bytesDone: 0 } : i));
        q.seen = parsed.data.seen;
      }
    } catch {
      // No queue yet.
    }
    return q;
  }

  get file(): string {
    return join(this.dir, 'queue.json');
  }

  get uploadsDir(): string {
    return join(this.dir, 'uploads');
  }

  list(): QueueItem[] {
    return this.items.map(({ path: _p, deleteAfter: _d, ...view }) => view);
  }

  private async save(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ items: this.items, seen: this.seen }), { mode: 0o600 });
    await rename(tmp, this.file);
  }

  async add(datasetId: string, files: Array<{ path: string; name?: string; deleteAfter?: boolean; size: number }>, source: QueueItem['source']): Promise<QueueItem[]> {
    const now = new Date().toISOString();
    const added: StoredItem[] = files.map((f) => ({
      id: randomUUID(),
      datasetId,
      fileName: f.name ?? basename(f.path),
      path: f.path,
      deleteAfter: f.deleteAfter ?? false,
      state: 'queued',
      bytesDone: 0,
      bytesTotal: f.size,
      addedAt: now,
      updatedAt: now,
      source,
    }));
    this.items.push(...added);
    await this.save();
    this.onChange(this.list());
    this.kick();
    return added.map(({ path: _p, deleteAfter: _d, ...view }) => view);
  }

  async retry(id: string): Promise<QueueItem | undefined> {
    const item = this.items.find((i) => i.id === id);
    if (!item || item.state !== 'failed') return undefined;
    Object.assign(item, { state: 'queued', bytesDone: 0, updatedAt: new Date().toISOString() });
    delete item.error;
    await this.save();
    this.kick();
    return this.list().find((i) => i.id === id);
  }

  async clearFinished(): Promise<QueueItem[]> {
    this.items = this.items.filter((i) => i.state !== 'done' && i.state !== 'failed');
    await this.save();
    this.onChange(this.list());
    return this.list();
  }

  async markSeen(entries: Record<string, string>): Promise<void> {
    Object.assign(this.seen, entries);
    await this.save();
  }

  /** Starts the worker if idle. Items run one at a time, in order. */
  kick(): void {
    if (this.running || this.stopped) return;
    this.running = this.drain().finally(() => {
      this.running = null;
      if (!this.stopped && this.items.some((i) => i.state === 'queued')) this.kick();
    });
  }

  /** Resolves when nothing is queued or running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  private async drain(): Promise<void> {
    for (let item = this.next(); item && !this.stopped; item = this.next()) await this.runOne(item);
  }

  private next(): StoredItem | undefined {
    return this.items.find((i) => i.state === 'queued');
  }

  private async runOne(item: StoredItem): Promise<void> {
    const progress = (state: QueueItem['state'], done: number, total: number) => {
      const changed = state !== item.state;
      Object.assign(item, { state, bytesDone: done, bytesTotal: total, updatedAt: new Date().toISOString() });
      const now = Date.now();
      if (changed || now - this.lastEmit >= PROGRESS_EVERY_MS || done === total) {
        this.lastEmit = now;
        this.onChange(this.list(), item);
      }
    };
    try {
      progress('profiling', 0, item.bytesTotal);
      await this.save();
      const res = await this.publish(item, progress);
      Object.assign(item, { state: 'done', releaseId: res.releaseId, recordCount: res.recordCount, bytesDone: item.bytesTotal, updatedAt: new Date().toISOString() });
      if (item.deleteAfter) await rm(item.path, { force: true });
    } catch (e) {
      const error = this.toError(e);
      Object.assign(item, { state: 'failed', error, updatedAt: new Date().toISOString() });
      this.onError(item, error);
    }
    await this.save();
    this.onChange(this.list(), item);
  }

  /** Release id → file name, for the history view. */
  fileNames(): Map<string, string> {
    return new Map(this.items.filter((i) => i.releaseId).map((i) => [i.releaseId!, i.fileName]));
  }
}
