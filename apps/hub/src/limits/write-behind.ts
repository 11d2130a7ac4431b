/**
 * @module limits/write-behind
 * Counters that are read and incremented in memory and persisted in batches:
 * a request costs no database write. Pending increments are flushed at most
 * once per `flushIntervalMs` (a timer armed by the first unflushed increment)
 * and by `flush()` at shutdown. Trade-off, by design: a crash loses at most
 * the increments of the last interval (1 s by default).
 *
 * Persisted values are added as deltas (`count = count + delta`), so several
 * processes sharing one database never overwrite each other's counts; each
 * process's in-memory view then lags the others' by up to one interval.
 */

export interface CounterBackend {
  /** The persisted value of `key` (0 when absent). */
  load(key: string): Promise<number>;
  /** Adds every delta in one transaction. */
  add(deltas: ReadonlyMap<string, number>): Promise<void>;
}

interface Entry {
  /** Persisted value when loaded, plus everything flushed since. */
  base: number;
  pending: number;
}

type Timer = ReturnType<typeof setTimeout>;

export class WriteBehindCounter {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();
  private timer: Timer | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly backend: CounterBackend,
    private readonly flushIntervalMs = 1000,
  ) {}

  /** Current value, loading it from the backend once per key. */
  async get(key: string): Promise<number> {
    const e = this.entries.get(key) ?? (await this.load(key));
    return e.base + e.pending;
  }

  /** `get` without a promise when the key is already loaded (the hot path); undefined when it is not. */
  peek(key: string): number | undefined {
    const e = this.entries.get(key);
    return e ? e.base + e.pending : undefined;
  }

  /** Counts `n` in memory; persisted by the next flush. */
  async add(key: string, n = 1): Promise<void> {
    if (this.addLoaded(key, n)) return;
    (await this.load(key)).pending += n;
    this.arm();
  }

  /** `add` without a promise when the key is already loaded (the hot path); false when it is not. */
  addLoaded(key: string, n = 1): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    e.pending += n;
    this.arm();
    return true;
  }

  /** Forgets keys for which `drop` is true once their increments are persisted (e.g. past months). */
  async evict(drop: (key: string) => boolean): Promise<void> {
    await this.flush();
    for (const [key, e] of this.entries) if (drop(key) && e.pending === 0) this.entries.delete(key);
  }

  /** Persists pending increments; resolves when they are written. Safe to call at any time. */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // Flushes run one after another so deltas are never written twice.
    this.flushing = this.flushing.then(() => this.writePending());
    return this.flushing;
  }

  private async writePending(): Promise<void> {
    const deltas = new Map<string, number>();
    for (const [key, e] of this.entries) if (e.pending > 0) deltas.set(key, e.pending);
    if (deltas.size === 0) return;
    for (const [key, n] of deltas) {
      const e = this.entries.get(key)!;
      e.pending -= n;
      e.base += n;
    }
    try {
      await this.backend.add(deltas);
    } catch (err) {
      // Not written: count them again as pending, to retry with the next flush.
      for (const [key, n] of deltas) {
        const e = this.entries.get(key)!;
        e.pending += n;
        e.base -= n;
      }
      this.arm();
      throw err;
    }
  }

  private arm(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(() => undefined);
    }, this.flushIntervalMs);
    // Node: a pending flush must not keep the process alive (shutdown flushes explicitly).
    (this.timer as { unref?: () => void }).unref?.();
  }

  private load(key: string): Promise<Entry> {
    let p = this.loading.get(key);
    if (!p) {
      p = this.backend.load(key).then((base) => {
        const e = this.entries.get(key) ?? { base, pending: 0 };
        this.entries.set(key, e);
        this.loading.delete(key);
        return e;
      });
      this.loading.set(key, p);
    }
    return p;
  }
}
