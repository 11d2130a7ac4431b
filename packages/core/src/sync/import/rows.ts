/**
 * @module sync/import/rows
 * Maps the reader's batches onto the table's columns, converts each cell
 * (convert.ts) into one flat array per batch for the BatchInserter. File columns
 * are matched by name, in any order; a schema column absent from the file is
 * null; a file column absent from the schema is an error (the release schema
 * is what the producer signed up to). Runs in the import's thread or in the
 * parse worker; errors carry everything needed to rebuild them across.
 */
import type { FileFormat, RecordBatch } from '../../formats/types.js';
import type { ColumnDef } from '../library/schema.js';
import { INVALID, TYPE_WORDS, converterFor, type Converter, type SqlValue } from './convert.js';
import { ImportError, type ImportErrorLocation } from './errors.js';

export class RowConverter {
  private readonly converters: Converter[];
  private readonly nullable: boolean[];
  private mappedColumns: readonly string[] | undefined;
  /** sourceIndex[i]: index of schema column i in the current batch, or -1. */
  private sourceIndex: number[] = [];

  constructor(
    private readonly columns: readonly ColumnDef[],
    private readonly format: () => FileFormat | undefined,
  ) {
    this.converters = columns.map((c) => converterFor(c.type));
    this.nullable = columns.map((c) => c.nullable);
  }

  private location(record: number, column?: string): ImportErrorLocation {
    const f = this.format();
    const line = f === 'csv' || f === 'tsv' ? record + 1 : f === 'ndjson' ? record : undefined;
    return { record, ...(line === undefined ? {} : { line }), ...(column === undefined ? {} : { column }) };
  }

  private where(loc: ImportErrorLocation): string {
    return loc.line !== undefined ? `line ${loc.line} (record ${loc.record})` : `record ${loc.record}`;
  }

  private map(batch: RecordBatch): void {
    if (batch.columns === this.mappedColumns) return;
    const byName = new Map<string, number>();
    batch.columns.forEach((name, i) => byName.set(name, i));
    const known = new Set(this.columns.map((c) => c.name));
    const extra = batch.columns.find((name) => !known.has(name));
    if (extra !== undefined) {
      const loc = this.location(batch.firstRecord, extra);
      throw new ImportError('IMPORT_UNKNOWN_COLUMN', `${this.where(loc)}: column "${extra}" is not in the release schema (${[...known].join(', ')})`, loc);
    }
    this.sourceIndex = this.columns.map((c) => byName.get(c.name) ?? -1);
    this.mappedColumns = batch.columns;
  }

  private fail(record: number, c: number, cell: unknown): never {
    const col = this.columns[c]!;
    const loc = this.location(record, col.name);
    if (cell === null || cell === undefined || (typeof cell === 'string' && cell.trim() === '')) {
      throw new ImportError('IMPORT_NULL', `${this.where(loc)}, column ${col.name}: a value is required (the column is not nullable)`, loc);
    }
    const shown = JSON.stringify(typeof cell === 'string' && cell.length > 40 ? `${cell.slice(0, 40)}…` : cell);
    throw new ImportError('IMPORT_CONVERSION', `${this.where(loc)}, column ${col.name}: ${shown} is not ${TYPE_WORDS[col.type]}`, loc);
  }

  /** The batch's rows as SQLite values in schema column order, row-major. */
  convert(batch: RecordBatch): SqlValue[] {
    this.map(batch);
    const w = this.columns.length;
    const srcW = batch.columns.length;
    const { cells } = batch;
    const out = new Array<SqlValue>(batch.rowCount * w);
    const src = this.sourceIndex;
    const conv = this.converters;
    const nullable = this.nullable;
    for (let r = 0; r < batch.rowCount; r++) {
      const base = r * srcW;
      const o = r * w;
      for (let c = 0; c < w; c++) {
        const i = src[c]!;
        const cell = i < 0 ? null : cells[base + i]!;
        const v = conv[c]!(cell);
        if (v === INVALID || (v === null && !nullable[c])) this.fail(batch.firstRecord + r, c, cell);
        out[o + c] = v;
      }
    }
    return out;
  }
}
