/**
 * @module engine/watch
 * Watch folders: a file that appears in a dataset's folder is queued for
 * publishing once its size and mtime have not changed for `stableSeconds`
 * (it "stopped growing"). Polling, not fs.watch: it behaves the same on
 * every OS and on network shares, and a scan per second is cheap.
 * Invariant: a file version (path + size + mtime) is queued at most once;
 * the record of what was queued is persisted with the publish queue.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { WatchFolder } from '../shared/models.js';

export interface WatchSink {
  seen: Record<string, string>;
  markSeen(entries: Record<string, string>): Promise<void>;
  add(datasetId: string, files: Array<{ path: string; size: number }>, source: 'watch'): Promise<unknown>;
}

interface Pending {
  version: string;
  size: number;
  since: number;
}

export class FolderWatcher {
  private timer: NodeJS.Timeout | null = null;
  private readonly pending = new Map<string, Pending>();
  private scanning = false;

  constructor(
    private readonly folders: () => WatchFolder[],
    private readonly sink: WatchSink,
    private readonly now: () => number = Date.now,
    private readonly onError: (folder: WatchFolder, e: unknown) => void = () => undefined,
  ) {}

  start(intervalMs = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.scan(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Files in `folder` now, as path → "size:mtime" (plain files, no dotfiles or partial downloads). */
  static async versions(folder: string): Promise<Map<string, { version: string; size: number }>> {
    const out = new Map<string, { version: string; size: number }>();
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (!entry.isFile() || entry.name.startsWith('.') || /\.(part|tmp|crdownload)$/i.test(entry.name)) continue;
      const path = join(folder, entry.name);
      const info = await stat(path).catch(() => null);
      if (info) out.set(path, { version: `${info.size}:${info.mtimeMs}`, size: info.size });
    }
    return out;
  }

  /** Marks what is in the folder now as already handled: only files that appear later are published. */
  async baseline(folder: string): Promise<void> {
    const now = await FolderWatcher.versions(folder);
    await this.sink.markSeen(Object.fromEntries([...now].map(([p, v]) => [p, v.version])));
  }

  /** One pass over every folder; exposed for tests. */
  async scan(): Promise<void> {
    if (this.scanning) return;
    this.scanning = true;
    try {
      for (const w of this.folders()) {
        let files: Map<string, { version: string; size: number }>;
        try {
          files = await FolderWatcher.versions(w.folder);
        } catch (e) {
          this.onError(w, e);
          continue;
        }
        const ready: Array<{ path: string; size: number }> = [];
        for (const [path, { version, size }] of files) {
          if (this.sink.seen[path] === version) continue;
          const p = this.pending.get(path);
          if (!p || p.version !== version) {
            this.pending.set(path, { version, size, since: this.now() });
          } else if (this.now() - p.since >= w.stableSeconds * 1000) {
            ready.push({ path, size });
            this.pending.delete(path);
            this.sink.seen[path] = version;
          }
        }
        if (ready.length > 0) {
          await this.sink.markSeen({});
          await this.sink.add(w.datasetId, ready, 'watch');
        }
      }
    } finally {
      this.scanning = false;
    }
  }
}
