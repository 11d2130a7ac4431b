/**
 * @module sync/engine/engine
 * The consumer's sync engine (Node, no Electron): keeps the local library in
 * step with the releases of every ACTIVE subscription.
 *
 * start(): take the state directory's lock → catch up (for each active
 * subscription, queue every release in the hub's window newer than the
 * newest one already imported, oldest first) → keep /v1/events open and
 * react: DATA_PUBLISHED queues the dataset's new releases, subscription
 * events re-read the subscriptions (a dataset that became active is caught
 * up; one that was suspended or cancelled is dropped, its local data kept).
 * One worker imports queued releases one at a time (see release-job.ts).
 *
 * Invariants:
 * - Exactly once: `library.hasRelease` is the source of truth, checked before
 *   any download, and importRelease records the release in the transaction
 *   that writes its rows.
 * - The event cursor moves only after an event's work was attempted (see
 *   follow.ts); catch-up at start covers whatever a replay could not.
 * - A failed release is retried with capped, jittered exponential backoff
 *   while other datasets proceed; a dataset's later releases wait behind it,
 *   except that a newer snapshot supersedes a failing older one.
 * - stop() aborts the current import (rolled back by importRelease), closes
 *   the stream and releases the lock; a partial payload stays for next time.
 */
import type { HubClient } from '../../sdk/client.js';
import { EventStreamError, type EventsClientOptions, type EventsOptions } from '../../sdk/events.js';
import type { IdentitySecrets } from '../../identity/store.js';
import { openLibrary, type Library } from '../library/library.js';
import { DEFAULT_RETRY, retryDelayMs, type RetryPolicy } from './backoff.js';
import { CatchUp } from './catch-up.js';
import { describeDataset } from './datasets.js';
import { describeFailure, SyncError } from './errors.js';
import { followEvents } from './follow.js';
import { silentLogger, type Logger } from './log.js';
import { SyncEvents, type SyncListener, type SyncStatus } from './progress.js';
import { syncRelease, type ReleaseJobDeps } from './release-job.js';
import { Scheduler, type Job } from './scheduler.js';
import { StateDir } from './state-dir.js';

export interface SyncEngineOptions {
  /** Authenticated hub client (consumer routes). */
  hub: HubClient;
  /** Where and how to open /v1/events (base URL, an authenticating fetch or credential). */
  stream: EventsClientOptions;
  /** This account's age identity: it unwraps the grants. */
  secrets: Pick<IdentitySecrets, 'ageIdentity'>;
  /** A library path (opened and closed by the engine) or an open Library (the caller's). */
  library: string | Library;
  /** The engine's own directory: event cursor, downloads, lock. */
  stateDir: string;
  logger?: Logger;
  /** fetch for payload URLs (no hub credential there); e.g. a throttled one. */
  downloadFetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
  /** Clock and randomness, for tests. */
  now?: () => number;
  random?: () => number;
  progressEveryMs?: { events?: number; log?: number };
  streamOptions?: Pick<EventsOptions, 'backoffMs' | 'maxBackoffMs' | 'idleTimeoutMs'>;
}

export interface FailedRelease {
  datasetId: string;
  releaseId: string;
  code: string;
  message: string;
}

/** What a run did: releases imported and releases given up. */
export interface SyncReport {
  imported: string[];
  failed: FailedRelease[];
}

export class SyncEngine {
  private readonly events = new SyncEvents();
  private readonly scheduler = new Scheduler();
  private readonly state: StateDir;
  private readonly logger: Logger;
  private readonly policy: RetryPolicy;
  private readonly now: () => number;
  private lib: Library | undefined;
  private unlock: (() => Promise<void>) | undefined;
  private catchUp!: CatchUp;
  private phase: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private readonly stopCtl = new AbortController();
  private current: { job: Job; ctl: AbortController } | undefined;
  private wakeUp: (() => void) | undefined;
  private tasks: Promise<unknown>[] = [];
  private fatal: unknown;
  readonly report: SyncReport = { imported: [], failed: [] };

  constructor(private readonly opts: SyncEngineOptions) {
    this.state = new StateDir(opts.stateDir);
    this.logger = opts.logger ?? silentLogger;
    this.policy = { ...DEFAULT_RETRY, ...opts.retry };
    this.now = opts.now ?? Date.now;
  }

  get status(): SyncStatus {
    return this.events.status;
  }

  /** The library being synced (open while the engine runs). */
  get library(): Library {
    if (!this.lib) throw new SyncError('SYNC_STATE_MACHINE', 'the engine is not running');
    return this.lib;
  }

  on(listener: SyncListener): () => void {
    return this.events.on(listener);
  }

  /**
   * Catches up, then follows the event stream until stop(). Resolves once the
   * catch-up is queued and the stream is being followed; `done()` settles
   * when the engine stops (rejecting if the hub refused the stream).
   */
  async start(): Promise<void> {
    await this.open();
    this.tasks.push(this.work(false));
    await this.catchUp.all();
    if (this.phase !== 'running') return;
    // The worker may have gone to sleep before anything was queued: let it report idle or start.
    this.wakeUp?.();
    this.tasks.push(this.follow());
  }

  /** Catches up once (retrying failures per the policy) and stops. */
  async runOnce(): Promise<SyncReport> {
    await this.open();
    try {
      await this.catchUp.all();
      await this.work(true);
    } finally {
      await this.stop();
    }
    return this.report;
  }

  /** Settles when the engine has stopped; rejects with the error that stopped it, if any. */
  async done(): Promise<void> {
    await Promise.allSettled(this.tasks);
    if (this.fatal) throw this.fatal;
  }

  /** Rolls back the current import (or lets a committing one finish), closes the stream, releases the lock. */
  async stop(): Promise<void> {
    if (this.phase === 'stopped' || this.phase === 'new') {
      this.phase = 'stopped';
      return;
    }
    if (this.phase === 'stopping') return void (await this.done().catch(() => undefined));
    this.phase = 'stopping';
    this.logger.info('stopping', this.current ? { releaseId: this.current.job.releaseId } : {});
    this.stopCtl.abort(new Error('the sync engine is stopping'));
    this.current?.ctl.abort(new Error('the sync engine is stopping'));
    this.wakeUp?.();
    await Promise.allSettled(this.tasks);
    if (typeof this.opts.library === 'string') this.lib?.close();
    await this.unlock?.();
    this.phase = 'stopped';
    this.events.emit({ type: 'stopped' });
    this.logger.info('stopped', { imported: this.report.imported.length, failed: this.report.failed.length });
  }

  private async open(): Promise<void> {
    if (this.phase !== 'new') throw new SyncError('SYNC_STATE_MACHINE', 'a sync engine runs once; create a new one');
    this.phase = 'running';
    try {
      await this.state.prepare();
      this.unlock = await this.state.lock();
      this.lib = typeof this.opts.library === 'string' ? openLibrary(this.opts.library) : this.opts.library;
    } catch (err) {
      this.phase = 'stopped';
      await this.unlock?.();
      throw err;
    }
    this.catchUp = new CatchUp({
      hub: this.opts.hub,
      library: this.lib,
      state: this.state,
      scheduler: this.scheduler,
      events: this.events,
      logger: this.logger,
      now: this.now,
      wake: () => this.wakeUp?.(),
      onInactive: (datasetId) => this.dropDataset(datasetId),
      signal: this.stopCtl.signal,
    });
    this.logger.info('sync engine started', { library: this.lib.path, stateDir: this.state.path });
  }

  private dropDataset(datasetId: string): void {
    for (const job of this.scheduler.dropDataset(datasetId)) {
      this.events.emit({ type: 'skipped', datasetId, releaseId: job.releaseId, reason: 'unsubscribed' });
    }
    if (this.current?.job.datasetId === datasetId) this.current.ctl.abort(new Error('the subscription is no longer active'));
  }

  /** The worker: attempts ready jobs one at a time; sleeps until the next retry or a wake-up. */
  private async work(untilEmpty: boolean): Promise<void> {
    while (this.phase === 'running') {
      const job = this.scheduler.next(this.now());
      if (job) {
        await this.attempt(job);
        continue;
      }
      if (untilEmpty && this.scheduler.size === 0) return;
      if (this.events.status !== 'idle') this.events.emit({ type: 'idle' });
      await this.sleep(this.scheduler.wakeAt());
    }
  }

  private sleep(until: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = until === undefined ? undefined : setTimeout(done, Math.max(0, until - this.now()));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private async attempt(job: Job): Promise<void> {
    const lib = this.library;
    if (lib.hasRelease(job.releaseId)) {
      this.scheduler.remove(job);
      this.events.emit({ type: 'skipped', datasetId: job.datasetId, releaseId: job.releaseId, reason: 'already-imported' });
      return;
    }
    const ctl = new AbortController();
    this.current = { job, ctl };
    let snapshot = false;
    try {
      const dataset = await describeDataset(this.opts.hub, lib, job.datasetId);
      snapshot = dataset.importMode === 'snapshot';
      const r = await syncRelease(this.jobDeps(), dataset, job.releaseId, ctl.signal);
      this.scheduler.remove(job);
      if (r.skipped) {
        this.events.emit({ type: 'skipped', datasetId: job.datasetId, releaseId: job.releaseId, reason: 'already-imported' });
      } else {
        this.report.imported.push(job.releaseId);
        this.events.emit({ type: 'imported', datasetId: dataset.id, dataset: dataset.name, releaseId: job.releaseId, rows: r.rows, producer: dataset.producer, table: r.table });
        this.logger.info('imported', { datasetId: dataset.id, dataset: dataset.slug, releaseId: job.releaseId, rows: r.rows, table: r.table, producerKey: r.producerKeyFingerprint });
      }
    } catch (err) {
      if (ctl.signal.aborted) {
        // Stopping or unsubscribed: the import rolled back; the job stays queued (or was dropped) untouched.
        this.logger.info('release attempt cancelled', { releaseId: job.releaseId, reason: String((ctl.signal.reason as Error | undefined)?.message ?? '') });
        job.markAttempted();
        return;
      }
      this.failed(job, err, snapshot);
    } finally {
      this.current = undefined;
    }
  }

  private failed(job: Job, err: unknown, snapshot: boolean): void {
    const info = describeFailure(err);
    job.failures++;
    const ids = { datasetId: job.datasetId, releaseId: job.releaseId };
    const giveUp = !info.retryable || job.failures >= this.policy.maxAttempts;
    const superseded = !giveUp && snapshot && this.scheduler.hasLater(job);
    if (giveUp || superseded) {
      this.scheduler.remove(job);
      if (giveUp) this.report.failed.push({ ...ids, code: info.code, message: info.message });
      void this.state.removePayload(job.releaseId).catch(() => undefined);
      this.events.emit({ type: 'error', ...ids, code: info.code, message: info.message, attempt: job.failures, retryAt: null });
      if (superseded) this.events.emit({ type: 'skipped', ...ids, reason: 'superseded' });
      this.logger.error(superseded ? 'release failed; a newer snapshot supersedes it' : 'release failed; giving up', { ...ids, code: info.code, error: info.message, attempt: job.failures });
      if (!info.retryable) void this.catchUp.refreshSubscriptions().catch(() => undefined);
      return;
    }
    const delay = retryDelayMs(job.failures, this.policy, this.opts.random);
    job.retryAt = this.now() + delay;
    job.markAttempted();
    const retryAt = new Date(job.retryAt).toISOString();
    this.events.emit({ type: 'error', ...ids, code: info.code, message: info.message, attempt: job.failures, retryAt });
    this.logger.warn('release failed; will retry', { ...ids, code: info.code, error: info.message, attempt: job.failures, retryAt });
  }

  private jobDeps(): ReleaseJobDeps {
    return {
      hub: this.opts.hub,
      secrets: this.opts.secrets,
      library: this.library,
      state: this.state,
      events: this.events,
      logger: this.logger,
      ...(this.opts.downloadFetch ? { downloadFetch: this.opts.downloadFetch } : {}),
      progressEveryMs: { events: this.opts.progressEveryMs?.events ?? 200, log: this.opts.progressEveryMs?.log ?? 500 },
    };
  }

  /** Follows /v1/events until stop(); a refused stream stops the engine (see follow.ts). */
  private async follow(): Promise<void> {
    const signal = this.stopCtl.signal;
    try {
      await followEvents({
        stream: this.opts.stream,
        ...(this.opts.streamOptions ? { streamOptions: this.opts.streamOptions } : {}),
        cursorStore: this.state.cursorStore(),
        catchUp: this.catchUp,
        scheduler: this.scheduler,
        library: this.library,
        logger: this.logger,
        policy: this.policy,
        signal,
      });
    } catch (err) {
      if (signal.aborted) return;
      this.fatal = err instanceof EventStreamError ? new SyncError('SYNC_STREAM_REFUSED', err.message, { cause: err }) : err;
      const info = describeFailure(err);
      this.events.emit({ type: 'error', code: info.code, message: info.message, attempt: 1, retryAt: null });
      this.logger.error('event stream failed; stopping', { code: info.code, error: info.message });
      void this.stop();
    }
  }
}
