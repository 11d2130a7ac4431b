/**
 * @module sync/engine/catch-up
 * Which releases the engine owes the library: the active subscriptions (as
 * the hub lists them) and, per subscribed dataset, the releases in the hub's
 * window that are newer than the newest one already imported, queued oldest
 * first. Older releases never imported are superseded, not imported late: a
 * late snapshot would replace newer data, a late incremental would undo
 * newer upserts.
 */
import type { HubClient } from '../../sdk/client.js';
import { HubError } from '../../sdk/client.js';
import type { Library } from '../library/library.js';
import { retryDelayMs, type RetryPolicy } from './backoff.js';
import { describeFailure } from './errors.js';
import type { Logger } from './log.js';
import type { SyncEvents } from './progress.js';
import type { Job, Scheduler } from './scheduler.js';
import type { StateDir } from './state-dir.js';

export interface CatchUpDeps {
  hub: HubClient;
  library: Library;
  state: StateDir;
  scheduler: Scheduler;
  events: SyncEvents;
  logger: Logger;
  now: () => number;
  /** Tells the worker new jobs are queued. */
  wake(): void;
  /** A dataset's subscription is no longer active: forget its queue. */
  onInactive(datasetId: string): void;
  /** Aborted when the engine stops (cancels pending re-syncs). */
  signal: AbortSignal;
}

export class CatchUp {
  /** datasetId → subscriptionId of my active subscriptions. */
  private readonly active = new Map<string, string>();
  private readonly laterAttempts = new Map<string, number>();

  constructor(private readonly deps: CatchUpDeps) {}

  isActive(datasetId: string): boolean {
    return this.active.has(datasetId);
  }

  /** Everything: the subscriptions, each active dataset's missing releases, stale payload files. */
  async all(): Promise<Job[]> {
    this.deps.events.emit({ type: 'catching-up', datasets: this.active.size });
    const jobs = await this.refreshSubscriptions(true);
    for (const id of await this.deps.state.leftoverPayloads()) {
      if (!this.deps.scheduler.job(id)) await this.deps.state.removePayload(id);
    }
    this.deps.logger.info('catch-up queued', { datasets: this.active.size, releases: jobs.length });
    return jobs;
  }

  /**
   * Re-reads my subscriptions: datasets that became active are caught up,
   * datasets no longer active are dropped. `everyone` re-lists every active
   * dataset (start-up). Returns the jobs queued.
   */
  async refreshSubscriptions(everyone = false): Promise<Job[]> {
    const { items } = await this.deps.hub.subscriptions();
    const now = new Map(items.filter((s) => s.status === 'active').map((s) => [s.datasetId, s.id]));
    for (const datasetId of [...this.active.keys()]) {
      if (now.has(datasetId)) continue;
      this.active.delete(datasetId);
      this.deps.logger.info('subscription no longer active; local data kept', { datasetId });
      this.deps.onInactive(datasetId);
    }
    const jobs: Job[] = [];
    for (const [datasetId, subscriptionId] of now) {
      const fresh = !this.active.has(datasetId);
      this.active.set(datasetId, subscriptionId);
      if (!fresh && !everyone) continue;
      try {
        jobs.push(...(await this.dataset(datasetId)));
      } catch (err) {
        const info = describeFailure(err);
        this.deps.events.emit({ type: 'error', datasetId, code: info.code, message: info.message, attempt: 1, retryAt: null });
        this.deps.logger.error('catch-up of a dataset failed', { datasetId, code: info.code, error: info.message });
      }
    }
    return jobs;
  }

  /** Queues the dataset's releases newer than its newest imported one; returns their jobs. */
  async dataset(datasetId: string): Promise<Job[]> {
    let items;
    try {
      ({ items } = await this.deps.hub.datasetReleases(datasetId));
    } catch (err) {
      // 403: the subscription is not active (any more); nothing to fetch.
      if (err instanceof HubError && err.status === 403) {
        if (this.active.delete(datasetId)) this.deps.onInactive(datasetId);
        return [];
      }
      throw err;
    }
    const newestFirst = [...items].sort((a, b) => (a.publishedAt === b.publishedAt ? (a.id < b.id ? 1 : -1) : a.publishedAt < b.publishedAt ? 1 : -1));
    const lib = this.deps.library;
    const newestImported = newestFirst.findIndex((r) => lib.hasRelease(r.id));
    const missing = (newestImported < 0 ? newestFirst : newestFirst.slice(0, newestImported)).reverse();
    const superseded = newestImported < 0 ? 0 : newestFirst.slice(newestImported).filter((r) => !lib.hasRelease(r.id)).length;
    if (superseded > 0) this.deps.logger.info('older releases superseded by an imported newer one', { datasetId, count: superseded });
    if (missing.length === 0) return [];
    const jobs = this.deps.scheduler.enqueue(datasetId, missing.map((r) => r.id), this.deps.now());
    this.deps.logger.info('releases queued', { datasetId, count: missing.length });
    this.deps.wake();
    return jobs;
  }

  /** After a failed reaction to an event: catch the dataset (or everything) up again after a backoff. */
  later(datasetId: string | undefined, policy: RetryPolicy): void {
    const key = datasetId ?? '*';
    const attempt = (this.laterAttempts.get(key) ?? 0) + 1;
    if (attempt > policy.maxAttempts) return;
    this.laterAttempts.set(key, attempt);
    const timer = setTimeout(() => {
      if (this.deps.signal.aborted) return;
      const run = datasetId ? this.dataset(datasetId) : this.refreshSubscriptions(true);
      run.then(
        () => this.laterAttempts.delete(key),
        () => this.later(datasetId, policy),
      );
    }, retryDelayMs(attempt, policy));
    timer.unref();
    this.deps.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  }
}
