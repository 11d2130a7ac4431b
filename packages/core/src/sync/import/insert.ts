/**
 * @module sync/import/insert
 * Multi-row INSERT statements for bulk loads. Binding values one by one is
 * what costs in better-sqlite3, so statements carry many rows each and are
 * called with spread arguments (measurably cheaper than an array). Each
 * statement size is prepared once. Limits: at most MAX_ROWS rows and
 * MAX_PARAMS parameters per statement, far below SQLite's 32,766 variables
 * and V8's argument-count limit.
 */
import type Database from 'better-sqlite3';
import { quoteIdent } from '../library/naming.js';
import type { SqlValue } from './convert.js';

export const MAX_ROWS = 200;
export const MAX_PARAMS = 2000;

export interface InsertTarget {
  readonly table: string;
  readonly columns: readonly string[];
  /** Upsert on these columns (they form the table's PRIMARY KEY); empty → plain insert. */
  readonly conflictKeys: readonly string[];
}

/** ` ON CONFLICT (keys) DO UPDATE SET` every other column to the incoming row's value; '' without keys. */
export function upsertClause(columns: readonly string[], conflictKeys: readonly string[]): string {
  if (conflictKeys.length === 0) return '';
  const keys = new Set(conflictKeys);
  const updates = columns.filter((c) => !keys.has(c)).map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`);
  return ` ON CONFLICT (${conflictKeys.map(quoteIdent).join(', ')}) DO ${updates.length ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`;
}

export class BatchInserter {
  /** Rows per full statement. */
  readonly rowsPerStatement: number;
  private readonly width: number;
  private readonly statements = new Map<number, Database.Statement>();
  private readonly head: string;
  private readonly tail: string;
  private readonly rowSql: string;

  constructor(
    private readonly db: Database.Database,
    target: InsertTarget,
  ) {
    this.width = target.columns.length;
    this.rowsPerStatement = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMS / this.width)));
    this.head = `INSERT INTO ${quoteIdent(target.table)} (${target.columns.map(quoteIdent).join(', ')}) VALUES `;
    this.rowSql = `(${new Array<string>(this.width).fill('?').join(', ')})`;
    this.tail = upsertClause(target.columns, target.conflictKeys);
  }

  private statement(rows: number): Database.Statement {
    let s = this.statements.get(rows);
    if (!s) {
      s = this.db.prepare(this.head + new Array<string>(rows).fill(this.rowSql).join(', ') + this.tail);
      this.statements.set(rows, s);
    }
    return s;
  }

  /** Inserts every row of `values` (row-major, a multiple of the column count), a statement at a time. */
  insertAll(values: readonly SqlValue[]): number {
    const w = this.width;
    const rows = values.length / w;
    const per = this.rowsPerStatement;
    for (let r = 0; r < rows; r += per) {
      const k = Math.min(per, rows - r);
      const args = k === rows ? values : values.slice(r * w, (r + k) * w);
      this.statement(k).run(...args);
    }
    return rows;
  }
}
