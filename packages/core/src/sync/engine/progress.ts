/**
 * @module sync/engine/progress
 * What the engine tells its host (the desktop UI and tray, `dme sync`'s
 * output): a small typed stream of state changes. `state` events say what
 * the engine is doing now; `imported` and `error` report outcomes. A
 * listener that throws is isolated: it cannot break the engine.
 */

export type SyncEvent =
  | { type: 'idle' }
  | { type: 'catching-up'; datasets: number }
  | { type: 'downloading'; datasetId: string; releaseId: string; bytes: number; total: number; resumedFrom: number }
  | { type: 'importing'; datasetId: string; releaseId: string; rows: number; expectedRows: number }
  | { type: 'imported'; datasetId: string; dataset: string; releaseId: string; rows: number; producer: string; table: string }
  | { type: 'skipped'; datasetId: string; releaseId: string; reason: 'already-imported' | 'superseded' | 'unsubscribed' }
  | { type: 'error'; datasetId?: string; releaseId?: string; code: string; message: string; attempt: number; retryAt: string | null }
  | { type: 'stopped' };

export type SyncEventType = SyncEvent['type'];
export type SyncListener = (event: SyncEvent) => void;

/** The engine's coarse state, for a tray icon: derived from the last state-changing event. */
export type SyncStatus = 'stopped' | 'idle' | 'catching-up' | 'downloading' | 'importing';

export class SyncEvents {
  private readonly listeners = new Set<SyncListener>();
  status: SyncStatus = 'stopped';

  on(listener: SyncListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: SyncEvent): void {
    if (event.type === 'idle' || event.type === 'catching-up' || event.type === 'downloading' || event.type === 'importing' || event.type === 'stopped') {
      this.status = event.type;
    }
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A host's bug must not stop the sync.
      }
    }
  }
}
