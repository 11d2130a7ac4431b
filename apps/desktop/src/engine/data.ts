/**
 * @module engine/data
 * The Data screen over the local library: tables, pages, the SQL box and CSV
 * export. Invariant: every read here goes through a READ-ONLY SQLite
 * connection, and the SQL box also refuses any statement SQLite reports as
 * not read-only — so nothing typed in the app can change the library (the
 * importer is its only writer).
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type Database from 'better-sqlite3';
import { openLibrary, quoteIdent, type Library } from '@dme/core/sync/library';
import { DesktopError } from '../shared/result.js';
import type { Cell, ColumnView, TableView } from '../shared/models.js';

interface TableInfoRow {
  name: string;
  type: string;
  notnull: number;
}

function cell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return String(v);
}

function csvField(v: Cell): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) || s.trim() !== s ? `"${s.replace(/"/g, '""')}"` : s;
}

export class LibraryData {
  private library: Library | null = null;
  private reader: Database.Database | null = null;
  private openedPath = '';

  constructor(private readonly pathOf: () => string) {}

  get path(): string {
    return this.pathOf();
  }

  /** The library (created and migrated on first use); reopened when the path setting changes. */
  private lib(): { library: Library; reader: Database.Database } {
    const path = this.pathOf();
    if (!this.library || !this.reader || this.openedPath !== path) {
      this.close();
      try {
        this.library = openLibrary(path);
        this.reader = this.library.openReader();
      } catch (e) {
        throw new DesktopError('FILE_ERROR', `The library ${path} cannot be opened: ${(e as Error).message}`);
      }
      this.openedPath = path;
    }
    return { library: this.library, reader: this.reader };
  }

  close(): void {
    this.reader?.close();
    this.library?.close();
    this.reader = null;
    this.library = null;
  }

  private columns(reader: Database.Database, table: string): ColumnView[] {
    const exists = reader.prepare("SELECT 1 FROM sqlite_schema WHERE type IN ('table', 'view') AND name = ?").get(table);
    if (!exists) throw new DesktopError('NOT_FOUND', `There is no table named "${table}" in the library.`);
    const rows = reader.prepare(`PRAGMA table_info(${quoteIdent(table)})`).all() as TableInfoRow[];
    return rows.map((r) => ({ name: r.name, type: r.type || 'ANY', nullable: r.notnull === 0 }));
  }

  private count(reader: Database.Database, table: string): number {
    return (reader.prepare(`SELECT count(*) AS n FROM ${quoteIdent(table)}`).get() as { n: number }).n;
  }

  tables(): { libraryPath: string; tables: TableView[] } {
    const { library, reader } = this.lib();
    const tables: TableView[] = [];
    for (const d of library.datasets()) {
      const exists = reader.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(d.tableName);
      if (!exists) continue;
      const last = d.lastReleaseId ? library.release(d.lastReleaseId) : undefined;
      tables.push({
        name: d.tableName,
        datasetId: d.id,
        datasetName: d.name,
        rows: this.count(reader, d.tableName),
        columns: this.columns(reader, d.tableName),
        ...(last ? { lastImportAt: last.importedAt } : {}),
      });
    }
    return { libraryPath: library.path, tables };
  }

  /** Rows in the table a dataset imports into, and its newest imported release. */
  datasetState(datasetId: string): { table: string; rows: number; lastRelease?: { id: string; importedAt: string; rows: number } } | undefined {
    const { library, reader } = this.lib();
    const d = library.dataset(datasetId);
    if (!d) return undefined;
    const exists = reader.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(d.tableName);
    const last = d.lastReleaseId ? library.release(d.lastReleaseId) : undefined;
    return {
      table: d.tableName,
      rows: exists ? this.count(reader, d.tableName) : 0,
      ...(last ? { lastRelease: { id: last.id, importedAt: last.importedAt, rows: last.rows } } : {}),
    };
  }

  page(args: { table: string; offset: number; limit: number; orderBy?: string | undefined; desc: boolean }) {
    const { reader } = this.lib();
    const columns = this.columns(reader, args.table);
    let order = '';
    if (args.orderBy) {
      if (!columns.some((c) => c.name === args.orderBy)) throw new DesktopError('BAD_REQUEST', `The table "${args.table}" has no column "${args.orderBy}".`);
      order = ` ORDER BY ${quoteIdent(args.orderBy)}${args.desc ? ' DESC' : ''}`;
    }
    const stmt = reader.prepare(`SELECT * FROM ${quoteIdent(args.table)}${order} LIMIT ? OFFSET ?`).raw(true).safeIntegers(true);
    const rows = (stmt.all(args.limit, args.offset) as unknown[][]).map((r) => r.map(cell));
    return { table: args.table, columns, rows, total: this.count(reader, args.table) };
  }

  sql(args: { sql: string; limit: number }) {
    const { reader } = this.lib();
    const started = performance.now();
    let stmt: Database.Statement;
    try {
      stmt = reader.prepare(args.sql);
    } catch (e) {
      const msg = (e as Error).message;
      if (/more than one statement/i.test(msg)) throw new DesktopError('SQL_ERROR', 'Run one statement at a time.');
      throw new DesktopError('SQL_ERROR', msg);
    }
    if (!stmt.readonly) throw new DesktopError('READ_ONLY', 'The library is read-only here: only queries that read (SELECT, WITH …, read-only PRAGMA) may run.');
    if (!stmt.reader) throw new DesktopError('SQL_ERROR', 'This statement returns no rows; run a SELECT.');
    const columns = stmt.columns().map((c) => c.name);
    const rows: Cell[][] = [];
    let truncated = false;
    try {
      for (const r of stmt.raw(true).safeIntegers(true).iterate() as IterableIterator<unknown[]>) {
        if (rows.length >= args.limit) {
          truncated = true;
          break;
        }
        rows.push(r.map(cell));
      }
    } catch (e) {
      throw new DesktopError('SQL_ERROR', (e as Error).message);
    }
    return { columns, rows, truncated, elapsedMs: Math.round((performance.now() - started) * 10) / 10 };
  }

  /** Streams the table to `path` as CSV with a header line; memory stays flat whatever its size. */
  async exportCsv(table: string, path: string): Promise<number> {
    // Its own connection: the shared reader must stay free for other calls while this one awaits the disk.
    const reader = this.lib().library.openReader();
    try {
      return await this.writeCsv(reader, table, path);
    } finally {
      reader.close();
    }
  }

  private async writeCsv(reader: Database.Database, table: string, path: string): Promise<number> {
    const columns = this.columns(reader, table);
    const out = createWriteStream(path, { mode: 0o600 });
    const failed = once(out, 'error').then(([e]) => {
      throw e as Error;
    });
    failed.catch(() => undefined);
    let rows = 0;
    const write = async (line: string) => {
      if (!out.write(line)) await Promise.race([once(out, 'drain'), failed]);
    };
    await write(`${columns.map((c) => csvField(c.name)).join(',')}\r\n`);
    const stmt = reader.prepare(`SELECT * FROM ${quoteIdent(table)}`).raw(true).safeIntegers(true);
    for (const r of stmt.iterate() as IterableIterator<unknown[]>) {
      await write(`${r.map((v) => csvField(cell(v))).join(',')}\r\n`);
      rows++;
    }
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
    return rows;
  }
}
