/**
 * Live background activity: the sync engine's state, per-file transfers
 * (uploads and downloads) and imports in progress, and recent arrivals.
 * Fed by pushed events; `load()` re-reads state after a reconnect.
 */
import { create } from 'zustand';
import type { DesktopEvent } from '../../shared/events.js';
import type { Arrival, SyncState } from '../../shared/models.js';
import { call } from '../api.js';

export type Transfer = Extract<DesktopEvent, { type: 'transfer' }>;
export type ImportProgress = Extract<DesktopEvent, { type: 'import.progress' }>;

interface SyncStore {
  state: SyncState | null;
  transfers: Record<string, Transfer>;
  imports: Record<string, ImportProgress>;
  arrivals: Arrival[];
  load(): Promise<void>;
  onTransfer(t: Transfer): void;
  onImport(p: ImportProgress): void;
  onArrival(a: Arrival): void;
}

export const useSync = create<SyncStore>((set, get) => ({
  state: null,
  transfers: {},
  imports: {},
  arrivals: [],
  async load() {
    const [state, arrivals] = await Promise.allSettled([call('sync.state', {}), call('sync.arrivals', { limit: 10 })]);
    set({
      ...(state.status === 'fulfilled' ? { state: state.value } : {}),
      ...(arrivals.status === 'fulfilled' ? { arrivals: arrivals.value.items } : {}),
    });
  },
  onTransfer(t) {
    set({ transfers: { ...get().transfers, [t.id]: t } });
  },
  onImport(p) {
    set({ imports: { ...get().imports, [p.releaseId]: p } });
  },
  onArrival(a) {
    const imports = { ...get().imports };
    delete imports[a.releaseId];
    set({ arrivals: [a, ...get().arrivals.filter((x) => x.releaseId !== a.releaseId)].slice(0, 20), imports });
  },
}));
