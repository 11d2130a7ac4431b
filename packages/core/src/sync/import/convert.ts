/**
 * @module sync/import/convert
 * Cell → SQLite value, per column type. Tables are STRICT, so a value that
 * does not convert cleanly is an error (the whole import rolls back), never
 * stored as-is: a consumer's program can trust an INTEGER column to hold
 * integers. Rules:
 * - integer: JSON integers; strings of optional sign + digits (surrounding
 *   spaces ignored), as a JS number when safe, else a BigInt within int64;
 *   booleans as 1/0.
 * - real: finite JSON numbers; decimal strings (`1.5`, `-2e3`, `.5`);
 *   `NaN`, `Infinity`, hex are refused.
 * - boolean: true/false, 1/0, and the strings true/false, t/f, yes/no,
 *   y/n, 1/0 (any case) → 1/0.
 * - text, date, datetime, phone_e164: strings as they are (not reformatted
 *   or validated: the profile reports validity); numbers and booleans as
 *   their JSON text.
 * - A blank string in a non-text column is null; null then fails a NOT NULL
 *   column with IMPORT_NULL.
 */
import type { Cell } from '../../formats/types.js';
import type { ColumnType } from '../../protocol/profile.js';

export type SqlValue = string | number | bigint | null;

/** Returned by a converter when the cell does not fit; the caller builds the error. */
export const INVALID: unique symbol = Symbol('invalid');
export type Converter = (cell: Cell) => SqlValue | typeof INVALID;

const INT_RE = /^[+-]?\d+$/;
const REAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const TRUE_WORDS = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE_WORDS = new Set(['false', 'f', 'no', 'n', '0']);

function toInteger(cell: Cell): SqlValue | typeof INVALID {
  if (cell === null) return null;
  if (typeof cell === 'number') return Number.isSafeInteger(cell) ? cell : INVALID;
  if (typeof cell === 'boolean') return cell ? 1 : 0;
  const s = cell.trim();
  if (s === '') return null;
  if (!INT_RE.test(s)) return INVALID;
  // 15 digits always fit a double exactly; longer ones go through BigInt.
  if (s.length <= 15) return Number(s);
  const b = BigInt(s);
  if (b < INT64_MIN || b > INT64_MAX) return INVALID;
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}

function toReal(cell: Cell): SqlValue | typeof INVALID {
  if (cell === null) return null;
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : INVALID;
  if (typeof cell === 'boolean') return INVALID;
  const s = cell.trim();
  if (s === '') return null;
  if (!REAL_RE.test(s)) return INVALID;
  const n = Number(s);
  return Number.isFinite(n) ? n : INVALID;
}

function toBoolean(cell: Cell): SqlValue | typeof INVALID {
  if (cell === null) return null;
  if (typeof cell === 'boolean') return cell ? 1 : 0;
  if (typeof cell === 'number') return cell === 1 ? 1 : cell === 0 ? 0 : INVALID;
  const s = cell.trim().toLowerCase();
  if (s === '') return null;
  if (TRUE_WORDS.has(s)) return 1;
  if (FALSE_WORDS.has(s)) return 0;
  return INVALID;
}

function toText(cell: Cell): SqlValue | typeof INVALID {
  if (typeof cell === 'string' || cell === null) return cell;
  return String(cell);
}

const CONVERTERS: Readonly<Record<ColumnType, Converter>> = {
  integer: toInteger,
  real: toReal,
  boolean: toBoolean,
  text: toText,
  date: toText,
  datetime: toText,
  phone_e164: toText,
};

export function converterFor(type: ColumnType): Converter {
  return CONVERTERS[type];
}

/** Words for error messages: "is not an integer". */
export const TYPE_WORDS: Readonly<Record<ColumnType, string>> = {
  integer: 'an integer',
  real: 'a number',
  boolean: 'a boolean (true/false, yes/no, 1/0)',
  text: 'text',
  date: 'text',
  datetime: 'text',
  phone_e164: 'text',
};
