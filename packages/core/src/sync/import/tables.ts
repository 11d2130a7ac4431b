/**
 * @module sync/import/tables
 * Where a release's rows are loaded, inside the import's transaction.
 * Snapshot: a fresh staging table, swapped in place of the real one at the
 * end (drop + rename, same transaction, so readers see old or new, never a
 * mix). Incremental: the real table, created on first use with its PRIMARY
 * KEY, widened with new nullable columns when a release adds some; a keyed
 * release goes through a TEMP staging table and lands in key order.
 */
import type Database from 'better-sqlite3';
import type { ImportMode } from '../../protocol/dataset.js';
import { quoteIdent, stagingName } from '../library/naming.js';
import { SQLITE_TYPES, columnSql, createTableSql, withRequiredKeys, type ColumnDef, type TableColumn } from '../library/schema.js';
import { ImportError } from './errors.js';
import { upsertClause } from './insert.js';

export interface LoadTarget {
  /** The table rows are inserted into now. */
  readonly loadTable: string;
  /** Upsert keys (incremental with keys), else empty. */
  readonly conflictKeys: readonly string[];
  /** Makes the loaded rows the dataset's table; call last, inside the transaction. */
  finish(): void;
}

function tableExists(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

function schemaChanged(table: string, why: string): ImportError {
  return new ImportError('IMPORT_SCHEMA_CHANGED', `the release schema does not fit the existing table ${table}: ${why}`);
}

/** Checks an existing incremental table against the release schema; adds new nullable columns. */
function reconcile(db: Database.Database, table: string, columns: readonly ColumnDef[], keys: readonly string[]): void {
  const existing = db.prepare(`SELECT name, type, "notnull", pk FROM pragma_table_info(?)`).all(table) as TableColumn[];
  const have = new Map(existing.map((c) => [c.name, c]));
  const pk = existing.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  if (pk.join('\0') !== keys.join('\0')) throw schemaChanged(table, `its key is (${pk.join(', ')}), the release's is (${keys.join(', ')})`);
  const wanted = new Set(columns.map((c) => c.name));
  for (const c of existing) {
    if (!wanted.has(c.name) && c.notnull) throw schemaChanged(table, `required column ${c.name} is missing from the release`);
  }
  for (const c of columns) {
    const e = have.get(c.name);
    if (!e) {
      if (!c.nullable) throw schemaChanged(table, `new column ${c.name} must be nullable to be added to existing rows`);
      db.exec(`ALTER TABLE ${quoteIdent(table)} ADD COLUMN ${columnSql(c)}`);
    } else if (e.type.toUpperCase() !== SQLITE_TYPES[c.type]) {
      throw schemaChanged(table, `column ${c.name} is ${e.type}, the release says ${SQLITE_TYPES[c.type]}`);
    }
  }
}

/**
 * Prepares the table a release loads into. Must run inside the import's
 * write transaction; everything it creates rolls back with it.
 */
export function prepareTarget(db: Database.Database, table: string, mode: ImportMode, columns: readonly ColumnDef[], keys: readonly string[]): LoadTarget {
  if (mode === 'snapshot') {
    const staging = stagingName(table);
    db.exec(`DROP TABLE IF EXISTS ${quoteIdent(staging)}`);
    db.exec(createTableSql(staging, columns, []));
    return {
      loadTable: staging,
      conflictKeys: [],
      finish() {
        // Legacy rename leaves views and triggers that name the table alone,
        // so a consumer's own views keep pointing at the new data.
        const legacy = db.pragma('legacy_alter_table', { simple: true }) as number;
        db.pragma('legacy_alter_table = ON');
        try {
          db.exec(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
          db.exec(`ALTER TABLE ${quoteIdent(staging)} RENAME TO ${quoteIdent(table)}`);
        } finally {
          db.pragma(`legacy_alter_table = ${legacy ? 'ON' : 'OFF'}`);
        }
      },
    };
  }
  if (tableExists(db, table)) reconcile(db, table, columns, keys);
  else db.exec(createTableSql(table, columns, keys));
  if (keys.length === 0) return { loadTable: table, conflictKeys: [], finish() {} };
  return sortedUpsert(db, table, columns, keys);
}

/** A name for the table's own rowid that no column hides, or undefined. */
function rowidAlias(columns: readonly ColumnDef[]): string | undefined {
  const names = new Set(columns.map((c) => c.name.toLowerCase()));
  return ['rowid', '_rowid_', 'oid'].find((n) => !names.has(n));
}

/**
 * A keyed release is loaded into a TEMP table without keys, then upserted
 * into the dataset's table in key order. Upserting in file order puts each
 * row at a random place in the key index, which stops fitting the page
 * cache as the table grows: a 1M-row first release took 15-21 CPU-s (200k:
 * 1.4 s). Sorted, the index and the table are written front to back, and
 * SQLite's sorter works in bounded memory (temporary files beyond it, kept
 * beside the library: library.ts useTempDirBeside). Rows
 * with the same key upsert in file order (the staging rowid breaks ties),
 * so the last one wins, as row-by-row upserts did. Key columns are NOT NULL
 * in staging as in the table (STRICT primary keys), so a missing key fails
 * on its own line.
 */
function sortedUpsert(db: Database.Database, table: string, columns: readonly ColumnDef[], keys: readonly string[]): LoadTarget {
  const rowid = rowidAlias(columns);
  if (!rowid) return { loadTable: table, conflictKeys: keys, finish() {} };
  const staging = stagingName(table);
  db.exec(`DROP TABLE IF EXISTS temp.${quoteIdent(staging)}`);
  db.exec(createTableSql(staging, withRequiredKeys(columns, keys), [], { temp: true }));
  return {
    loadTable: staging,
    conflictKeys: [],
    finish() {
      const names = columns.map((c) => c.name);
      const list = names.map(quoteIdent).join(', ');
      const order = [...keys.map(quoteIdent), rowid].join(', ');
      // WHERE true: SQLite's documented way to keep ON CONFLICT from parsing as a join constraint.
      db.exec(
        `INSERT INTO main.${quoteIdent(table)} (${list}) SELECT ${list} FROM temp.${quoteIdent(staging)} WHERE true ORDER BY ${order}${upsertClause(names, keys)}`,
      );
      db.exec(`DROP TABLE temp.${quoteIdent(staging)}`);
    },
  };
}
