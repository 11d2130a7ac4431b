/**
 * @module sync/library/schema
 * From a release's column schema to a STRICT SQLite table. Mapping:
 * integer→INTEGER, real→REAL, boolean→INTEGER (0/1), text, date, datetime
 * and phone_e164→TEXT; NOT NULL unless the column is nullable; a PRIMARY KEY
 * on the key columns when the dataset upserts (incremental with keys).
 */
import type { ColumnType } from '../../protocol/profile.js';
import { LibraryError } from './errors.js';
import { quoteIdent } from './naming.js';

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
}

export type SqliteType = 'INTEGER' | 'REAL' | 'TEXT';

export const SQLITE_TYPES: Readonly<Record<ColumnType, SqliteType>> = {
  integer: 'INTEGER',
  real: 'REAL',
  boolean: 'INTEGER',
  text: 'TEXT',
  date: 'TEXT',
  datetime: 'TEXT',
  phone_e164: 'TEXT',
};

/** Checks names are unique (case-insensitively, like SQLite) and keys exist. */
export function checkColumns(columns: readonly ColumnDef[], keyColumns: readonly string[]): void {
  if (columns.length === 0) throw new LibraryError('LIBRARY_BAD_SCHEMA', 'a dataset table needs at least one column');
  const seen = new Set<string>();
  for (const c of columns) {
    if (c.name.length === 0) throw new LibraryError('LIBRARY_BAD_SCHEMA', 'a column name is empty');
    const k = c.name.toLowerCase();
    if (seen.has(k)) throw new LibraryError('LIBRARY_BAD_SCHEMA', `column ${c.name} appears twice`);
    seen.add(k);
    if (!(c.type in SQLITE_TYPES)) throw new LibraryError('LIBRARY_BAD_SCHEMA', `column ${c.name} has unknown type ${String(c.type)}`);
  }
  for (const key of keyColumns) {
    if (!columns.some((c) => c.name === key)) throw new LibraryError('LIBRARY_BAD_SCHEMA', `key column ${key} is not a column of the dataset`);
  }
}

/** `columns` with the key columns NOT NULL, as a STRICT table's PRIMARY KEY makes them. */
export function withRequiredKeys(columns: readonly ColumnDef[], keys: readonly string[]): ColumnDef[] {
  return columns.map((c) => (keys.includes(c.name) ? { ...c, nullable: false } : c));
}

export function columnSql(c: ColumnDef): string {
  return `${quoteIdent(c.name)} ${SQLITE_TYPES[c.type]}${c.nullable ? '' : ' NOT NULL'}`;
}

/** CREATE TABLE for a dataset; `primaryKey` empty → a plain rowid table (row order = file order). */
export function createTableSql(table: string, columns: readonly ColumnDef[], primaryKey: readonly string[], opts: { temp?: boolean } = {}): string {
  checkColumns(columns, primaryKey);
  const parts = columns.map(columnSql);
  if (primaryKey.length > 0) parts.push(`PRIMARY KEY (${primaryKey.map(quoteIdent).join(', ')})`);
  return `CREATE ${opts.temp ? 'TEMP ' : ''}TABLE ${quoteIdent(table)} (\n  ${parts.join(',\n  ')}\n) STRICT`;
}

/** The declared columns of an existing table, in order, as SQLite reports them. */
export interface TableColumn {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}
