/** The catalog: search results and the selected dataset's detail, with subscribing. */
import { create } from 'zustand';
import type { CatalogItem, DatasetDetail } from '../../shared/models.js';
import { call } from '../api.js';
import { describeError } from '../errors.js';

interface CatalogState {
  q: string;
  items: CatalogItem[];
  loading: boolean;
  error: string | null;
  selectedId: string | null;
  detail: DatasetDetail | null;
  detailError: string | null;
  subscribing: boolean;
  search(q?: string): Promise<void>;
  select(id: string | null): Promise<void>;
  subscribe(datasetId: string, message?: string): Promise<void>;
}

export const useCatalog = create<CatalogState>((set, get) => ({
  q: '',
  items: [],
  loading: false,
  error: null,
  selectedId: null,
  detail: null,
  detailError: null,
  subscribing: false,
  async search(q = get().q) {
    set({ q, loading: true, error: null });
    try {
      const r = await call('catalog.list', { q: q.trim() || undefined, limit: 100 });
      // A slower earlier search must not overwrite a newer one.
      if (get().q === q) set({ items: r.items, loading: false });
    } catch (e) {
      set({ loading: false, error: describeError(e) });
    }
  },
  async select(id) {
    set({ selectedId: id, detail: null, detailError: null });
    if (!id) return;
    try {
      const detail = await call('catalog.detail', { datasetId: id });
      if (get().selectedId === id) set({ detail });
    } catch (e) {
      set({ detailError: describeError(e) });
    }
  },
  async subscribe(datasetId, message) {
    set({ subscribing: true, detailError: null });
    try {
      const sub = await call('catalog.subscribe', { datasetId, ...(message ? { message } : {}) });
      const mark = <T extends CatalogItem>(x: T): T => (x.id === datasetId ? { ...x, subscription: { id: sub.id, state: sub.state } } : x);
      const detail = get().detail;
      set({ subscribing: false, items: get().items.map(mark), detail: detail ? mark(detail) : detail });
    } catch (e) {
      set({ subscribing: false, detailError: describeError(e) });
    }
  },
}));
