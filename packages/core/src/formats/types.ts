/**
 * @module formats/types
 * The record batches every reader yields. A batch is row-major and flat:
 * cell (r, c) is `cells[r * columns.length + c]`, so a reader allocates one
 * array per batch rather than one per row, and an importer can bind a whole
 * batch to a multi-row INSERT. Invariant: every row of a batch has exactly
 * `columns.length` cells (absent JSON keys are null); a batch's `columns`
 * array is never mutated after the batch is yielded.
 */
import type { FileFormat } from '../protocol/profile.js';

export type { FileFormat };

/** CSV/TSV cells are strings (empty unquoted field → null); JSON keeps its scalars, nested values become JSON text. */
export type Cell = string | number | boolean | null;

export interface RecordBatch {
  /** Header row (CSV/TSV) or JSON keys in first-seen order; later batches may append keys, never reorder. */
  readonly columns: readonly string[];
  readonly rowCount: number;
  /** Row-major cells, length `rowCount * columns.length`. */
  readonly cells: Cell[];
  /** 1-based number of this batch's first record in the file (data rows, header excluded). */
  readonly firstRecord: number;
}

export interface ReadOptions {
  /** Overrides detection. */
  format?: FileFormat;
  /** Used for detection (extension, `.gz`) and error messages. */
  fileName?: string;
  /** Rows per batch; default about 8,192 cells (64–1,024 rows). A JSON key first seen mid-batch ends the batch early. */
  batchSize?: number;
}

/** Copies row `r` out of a batch (allocates; for tests and slow paths). */
export function rowOf(batch: RecordBatch, r: number): Cell[] {
  const w = batch.columns.length;
  return batch.cells.slice(r * w, r * w + w);
}
