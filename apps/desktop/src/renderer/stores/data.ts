/**
 * The Data screen: the library's tables, one table's page (sorted, paged) and
 * the SQL box. `refresh()` re-reads the open page; it runs when an import
 * lands so the table updates without a click.
 */
import { create } from 'zustand';
import type { Cell, ColumnView, TableView } from '../../shared/models.js';
import { call } from '../api.js';
import { describeError } from '../errors.js';

export const PAGE_SIZE = 50;

interface Page {
  columns: ColumnView[];
  rows: Cell[][];
  total: number;
}

interface SqlResult {
  columns: string[];
  rows: Cell[][];
  truncated: boolean;
  elapsedMs: number;
}

interface DataState {
  libraryPath: string;
  tables: TableView[];
  table: string | null;
  offset: number;
  orderBy: string | null;
  desc: boolean;
  page: Page | null;
  error: string | null;
  sqlResult: SqlResult | null;
  sqlError: string | null;
  sqlBusy: boolean;
  exportNote: string | null;
  loadTables(): Promise<void>;
  open(table: string): Promise<void>;
  sort(column: string): Promise<void>;
  goTo(offset: number): Promise<void>;
  refresh(): Promise<void>;
  runSql(sql: string): Promise<void>;
  exportCsv(): Promise<void>;
}

export const useData = create<DataState>((set, get) => ({
  libraryPath: '',
  tables: [],
  table: null,
  offset: 0,
  orderBy: null,
  desc: false,
  page: null,
  error: null,
  sqlResult: null,
  sqlError: null,
  sqlBusy: false,
  exportNote: null,
  async loadTables() {
    try {
      const r = await call('data.tables', {});
      set({ tables: r.tables, libraryPath: r.libraryPath });
      const { table } = get();
      if (!table && r.tables[0]) await get().open(r.tables[0].name);
    } catch (e) {
      set({ error: describeError(e) });
    }
  },
  async open(table) {
    set({ table, offset: 0, orderBy: null, desc: false, page: null, exportNote: null });
    await get().refresh();
  },
  async sort(column) {
    const { orderBy, desc } = get();
    set({ orderBy: column, desc: orderBy === column ? !desc : false, offset: 0 });
    await get().refresh();
  },
  async goTo(offset) {
    set({ offset: Math.max(0, offset) });
    await get().refresh();
  },
  async refresh() {
    const { table, offset, orderBy, desc } = get();
    if (!table) return;
    try {
      const r = await call('data.page', { table, offset, limit: PAGE_SIZE, desc, ...(orderBy ? { orderBy } : {}) });
      if (get().table === table) set({ page: r, error: null });
    } catch (e) {
      set({ error: describeError(e) });
    }
  },
  async runSql(sql) {
    set({ sqlBusy: true, sqlError: null });
    try {
      set({ sqlResult: await call('data.sql', { sql, limit: 1000 }), sqlBusy: false });
    } catch (e) {
      set({ sqlBusy: false, sqlError: describeError(e), sqlResult: null });
    }
  },
  async exportCsv() {
    const { table } = get();
    if (!table) return;
    try {
      const r = await call('data.exportCsv', { table });
      if (r.kind === 'download') {
        // Browser mode: the agent serves the file; a link click saves it.
        const a = document.createElement('a');
        a.href = r.url;
        a.download = r.fileName;
        document.body.append(a);
        a.click();
        a.remove();
        set({ exportNote: `Downloading ${r.fileName}` });
      } else if (r.kind === 'saved') {
        set({ exportNote: `Saved ${r.rows.toLocaleString('en-US')} rows to ${r.path}` });
      }
    } catch (e) {
      set({ error: describeError(e) });
    }
  },
}));
