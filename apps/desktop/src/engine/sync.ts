/**
 * @module engine/sync
 * Runs the core sync engine (packages/core/src/sync/engine: /v1/events,
 * download, verify, decrypt, import) for the signed-in consumer and turns
 * its progress into the desktop's push events and SyncState.
 *
 * The core engine is reached through `SyncEngineLike` (the subset of its
 * API the desktop uses), so tests can pass a factory instead; a failure to
 * start is shown as sync stopped, with a reason.
 */
import { join } from 'node:path';
import type { HubClient } from '@dme/core/sdk/client';
import { SyncEngine } from '@dme/core/sync/engine';
import type { Arrival, SyncState } from '../shared/models.js';
import type { DesktopEvent } from '../shared/events.js';

/** The core engine's progress events the desktop uses (a subset of core SyncEvent). */
export type SyncEventLike =
  | { type: 'idle' }
  | { type: 'catching-up'; datasets: number }
  | { type: 'downloading'; datasetId: string; releaseId: string; bytes: number; total: number }
  | { type: 'importing'; datasetId: string; releaseId: string; rows: number; expectedRows: number }
  | { type: 'imported'; datasetId: string; dataset: string; releaseId: string; rows: number; producer: string; table: string }
  | { type: 'error'; datasetId?: string; releaseId?: string; code: string; message: string }
  | { type: 'stopped' }
  | { type: string };

export interface SyncEngineLike {
  on(listener: (e: SyncEventLike) => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SyncEngineOptionsLike {
  hub: HubClient;
  stream: { baseUrl: string; fetch: typeof fetch };
  secrets: { ageIdentity: string };
  library: string;
  stateDir: string;
}

export type SyncEngineFactory = (opts: SyncEngineOptionsLike) => Promise<SyncEngineLike>;

/** The real engine: @dme/core's SyncEngine. */
export const coreSyncEngine: SyncEngineFactory = async (opts) => new SyncEngine(opts);

const MAX_ARRIVALS = 20;

export class SyncService {
  private engine: SyncEngineLike | null = null;
  private off: (() => void) | null = null;
  private current: SyncState = { status: 'signed-out', queued: 0, since: new Date().toISOString() };
  private readonly arrivals: Arrival[] = [];

  constructor(
    private readonly factory: SyncEngineFactory,
    private readonly emit: (e: DesktopEvent) => void,
    /** Producer display name for a producer id/name the engine reports. */
    private readonly describe: (datasetId: string) => Promise<{ name: string; producer: string }>,
  ) {}

  state(): SyncState {
    return structuredClone(this.current);
  }

  latest(limit: number): Arrival[] {
    return this.arrivals.slice(0, limit);
  }

  private set(patch: Partial<SyncState> & { status: SyncState['status'] }): void {
    const next: SyncState = { queued: this.current.queued, since: new Date().toISOString(), ...patch };
    if (!('current' in patch)) delete next.current;
    if (patch.status !== 'error' && !patch.lastError && this.current.lastError && patch.status !== 'idle') next.lastError = this.current.lastError;
    this.current = next;
    this.emit({ type: 'sync.state', state: this.state() });
  }

  /** Starts syncing for this session; a failure to start is reported, not thrown. */
  async start(opts: Omit<SyncEngineOptionsLike, 'stateDir'> & { home: string }): Promise<void> {
    await this.stop();
    this.set({ status: 'connecting' });
    try {
      const engine = await this.factory({ hub: opts.hub, stream: opts.stream, secrets: opts.secrets, library: opts.library, stateDir: join(opts.home, 'desktop', 'sync') });
      this.engine = engine;
      this.off = engine.on((e) => void this.onEngine(e));
      await engine.start();
    } catch (e) {
      this.engine = null;
      this.set({ status: 'error', lastError: `Sync could not start: ${(e as Error).message}` });
    }
  }

  /** Stops syncing; `why` is the state to show afterwards. */
  async stop(why: 'signed-out' | 'stopped' | 'receive-off' = 'stopped'): Promise<void> {
    const engine = this.engine;
    this.engine = null;
    this.off?.();
    this.off = null;
    if (engine) await engine.stop().catch(() => undefined);
    this.set({ status: why });
  }

  /** Exposed for tests: feed one engine event. */
  async onEngine(e: SyncEventLike): Promise<void> {
    switch (e.type) {
      case 'idle':
        return this.set({ status: 'idle' });
      case 'catching-up':
        return this.set({ status: 'syncing' });
      case 'downloading': {
        const d = e as Extract<SyncEventLike, { type: 'downloading' }>;
        this.set({ status: 'syncing', current: { datasetId: d.datasetId, releaseId: d.releaseId, phase: 'download', bytesDone: d.bytes, bytesTotal: d.total, rows: 0 } });
        const name = (await this.describe(d.datasetId)).name;
        this.emit({ type: 'transfer', id: d.releaseId, direction: 'download', datasetId: d.datasetId, fileName: name, bytesDone: d.bytes, bytesTotal: d.total, done: d.bytes >= d.total });
        return;
      }
      case 'importing': {
        const d = e as Extract<SyncEventLike, { type: 'importing' }>;
        this.set({ status: 'syncing', current: { datasetId: d.datasetId, releaseId: d.releaseId, phase: 'import', bytesDone: 0, bytesTotal: 0, rows: d.rows } });
        this.emit({ type: 'import.progress', datasetId: d.datasetId, releaseId: d.releaseId, rows: d.rows, done: false });
        return;
      }
      case 'imported': {
        const d = e as Extract<SyncEventLike, { type: 'imported' }>;
        const known = await this.describe(d.datasetId).catch(() => ({ name: d.dataset, producer: d.producer }));
        const arrival: Arrival = {
          datasetId: d.datasetId,
          datasetName: d.dataset || known.name,
          releaseId: d.releaseId,
          rows: d.rows,
          producer: known.producer !== 'A producer' ? known.producer : d.producer,
          table: d.table,
          importedAt: new Date().toISOString(),
        };
        this.arrivals.unshift(arrival);
        this.arrivals.splice(MAX_ARRIVALS);
        this.emit({ type: 'import.progress', datasetId: d.datasetId, releaseId: d.releaseId, rows: d.rows, done: true });
        this.emit({ type: 'imported', arrival });
        return;
      }
      case 'error': {
        const d = e as Extract<SyncEventLike, { type: 'error' }>;
        this.set({ status: 'error', lastError: d.message });
        this.emit({ type: 'error', error: { code: 'HUB_ERROR', message: d.message }, context: 'sync' });
        return;
      }
      case 'stopped':
        return this.set({ status: this.current.status === 'signed-out' || this.current.status === 'receive-off' ? this.current.status : 'stopped' });
      default:
        return;
    }
  }
}
