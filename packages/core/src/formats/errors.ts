/**
 * @module formats/errors
 * The one error type of the readers. `code` is stable for programs; the
 * message names the 1-based line (CSV, TSV, NDJSON) or record (JSON array)
 * so a person can open the file at the right place.
 */
export const FORMAT_ERROR_CODES = [
  'FORMAT_UNKNOWN',
  'FORMAT_FIELD_COUNT',
  'FORMAT_UNTERMINATED_QUOTE',
  'FORMAT_BAD_QUOTE',
  'FORMAT_DUPLICATE_COLUMN',
  'FORMAT_INVALID_JSON',
  'FORMAT_NOT_OBJECT',
  'FORMAT_NOT_ARRAY',
  'FORMAT_ENCODING',
  'FORMAT_GZIP',
] as const;
export type FormatErrorCode = (typeof FORMAT_ERROR_CODES)[number];

export interface FormatErrorLocation {
  /** 1-based physical line (CSV, TSV, NDJSON). */
  line?: number;
  /** 1-based element of a JSON array. */
  record?: number;
}

export class FormatError extends Error {
  override readonly name = 'FormatError';
  constructor(
    readonly code: FormatErrorCode,
    message: string,
    readonly location: FormatErrorLocation = {},
  ) {
    super(message);
  }
}

/** "line 42: expected 6 fields, found 5" */
export function errorAtLine(code: FormatErrorCode, line: number, what: string): FormatError {
  return new FormatError(code, `line ${line}: ${what}`, { line });
}

/** "record 7: expected a JSON object, found array" */
export function errorAtRecord(code: FormatErrorCode, record: number, what: string): FormatError {
  return new FormatError(code, `record ${record}: ${what}`, { record });
}

export function isFormatError(e: unknown): e is FormatError {
  return e instanceof FormatError;
}
