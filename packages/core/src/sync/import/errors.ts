/**
 * @module sync/import/errors
 * The one error type of the importer. Whatever the cause, an ImportError
 * means the import was rolled back: the dataset's table and the release
 * history are exactly as they were before. `cause` keeps the original error
 * (a FormatError, the decryptor's AgeError, a SQLite error) for programs
 * that want to tell a corrupt download from a bad file.
 */
export const IMPORT_ERROR_CODES = [
  /** A cell does not convert to its column's type (message names line, record and column). */
  'IMPORT_CONVERSION',
  /** A null or missing value in a column that is not nullable. */
  'IMPORT_NULL',
  /** The file has a column the release schema does not declare. */
  'IMPORT_UNKNOWN_COLUMN',
  /** The file could not be parsed (bad CSV/JSON, gzip, encoding); see cause (FormatError). */
  'IMPORT_FORMAT',
  /** The byte source failed (download or decryption error); see cause. */
  'IMPORT_SOURCE',
  /** The signal aborted the import. */
  'IMPORT_ABORTED',
  /** The release schema cannot be applied to the existing incremental table. */
  'IMPORT_SCHEMA_CHANGED',
  /** The row count differs from the manifest's record count. */
  'IMPORT_ROW_COUNT',
  /** The release id is already recorded for another dataset. */
  'IMPORT_RELEASE_CONFLICT',
  /** SQLite refused the rows (a constraint) or the write failed (disk full, locked). */
  'IMPORT_DATABASE',
] as const;
export type ImportErrorCode = (typeof IMPORT_ERROR_CODES)[number];

export interface ImportErrorLocation {
  /** 1-based data record (header excluded). */
  record?: number;
  /** 1-based physical line, for CSV/TSV/NDJSON, assuming no field spans lines. */
  line?: number;
  column?: string;
}

export class ImportError extends Error {
  override readonly name = 'ImportError';
  constructor(
    readonly code: ImportErrorCode,
    message: string,
    readonly location: ImportErrorLocation = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isImportError(e: unknown): e is ImportError {
  return e instanceof ImportError;
}
