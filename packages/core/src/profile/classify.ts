/**
 * @module profile/classify
 * Which column types one value satisfies, as a bit mask. Bits are ordered
 * from most to least specific, so the lowest set bit is the value's own
 * most specific type. TEXT has no bit: every value is text.
 *
 * Grammar (chosen so that what we call integer survives a round trip
 * through SQLite INTEGER and what we call a date sorts as text):
 * - boolean: true / false, any case (JSON booleans too); 0/1 are integers.
 * - date: YYYY-MM-DD, a real calendar day. A date also counts as datetime,
 *   so a column mixing both is datetime.
 * - datetime: ISO 8601 / RFC 3339, `YYYY-MM-DD[T ]HH:MM[:SS[.frac]][Z|±HH[:]MM]`.
 * - phone_e164: `+`, a non-zero digit, 8–15 digits in all.
 * - integer: optional `-`, 1–18 digits, no leading zero (so ZIP codes
 *   and zero-padded ids stay text); also counts as real.
 * - real: a decimal or exponent number, same leading-zero rule.
 * The hot path is charCode tests; the one regex runs only on values that
 * start like a number and are not plain integers.
 */
export const BOOLEAN = 1;
export const DATE = 2;
export const DATETIME = 4;
export const PHONE = 8;
export const INTEGER = 16;
export const REAL = 32;
/** Column types in bit order, then text: index = bit position. */
export const TYPE_ORDER = ['boolean', 'date', 'datetime', 'phone_e164', 'integer', 'real', 'text'] as const;
export const TEXT_INDEX = 6;

const REAL_RE = /^-?(?:(?:0|[1-9]\d*)(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Lowest set bit's position (the value's own type), or TEXT_INDEX for 0. */
export function ownType(mask: number): number {
  return mask === 0 ? TEXT_INDEX : 31 - Math.clz32(mask & -mask);
}

export function classifyString(s: string): number {
  const n = s.length;
  if (n === 0) return 0;
  const c0 = s.charCodeAt(0);
  if (c0 === 43) return isPhone(s, n) ? PHONE : 0;
  if ((c0 >= 48 && c0 <= 57) || c0 === 45 || c0 === 46) return classifyNumberLike(s, n, c0);
  const lower = c0 | 32;
  if (lower === 116 && n === 4 && s.toLowerCase() === 'true') return BOOLEAN;
  if (lower === 102 && n === 5 && s.toLowerCase() === 'false') return BOOLEAN;
  return 0;
}

export function classifyNumber(v: number): number {
  if (!Number.isFinite(v)) return 0;
  return Number.isSafeInteger(v) ? INTEGER | REAL : REAL;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isPhone(s: string, n: number): boolean {
  if (n < 9 || n > 16) return false;
  const c1 = s.charCodeAt(1);
  if (c1 < 49 || c1 > 57) return false;
  for (let i = 2; i < n; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

function classifyNumberLike(s: string, n: number, c0: number): number {
  if (n >= 10 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) return classifyDate(s, n);
  let i = c0 === 45 ? 1 : 0;
  const first = i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  const digits = i - first;
  if (i === n && digits >= 1) {
    if (digits > 1 && s.charCodeAt(first) === 48) return 0;
    return digits <= 18 ? INTEGER | REAL : REAL;
  }
  return REAL_RE.test(s) ? REAL : 0;
}

/** Two digits at i as a number, or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function classifyDate(s: string, n: number): number {
  const y1 = two(s, 0);
  const y2 = two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  if (y1 < 0 || y2 < 0 || month < 1 || month > 12 || day < 1 || day > DAYS[month]!) return 0;
  const year = y1 * 100 + y2;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return 0;
  dateKeyOfLast = (year * 100 + month) * 100 + day;
  if (n === 10) {
    dateKeyOfLast *= 1_000_000;
    return DATE | DATETIME;
  }
  const sep = s.charCodeAt(10);
  return (sep === 84 || sep === 32) && isTimePart(s, n) ? DATETIME : 0;
}

/**
 * Sort key of the last value classifyString found to be a date or datetime:
 * YYYYMMDDhhmmss as a number (< 2^53), fractions and offsets ignored. It
 * only decides which string becomes a column's min or max. Handed over
 * through module state, not a return value, because the classifier has
 * already parsed those digits and the caller reads it at once (single
 * thread, no await in between); comparing strings instead was the single
 * largest cost of profiling a timestamp column.
 */
let dateKeyOfLast = 0;

export function lastDateKey(): number {
  return dateKeyOfLast;
}

/** `HH:MM[:SS[.frac]][Z|±HH[:]MM]` from index 11 to the end. */
function isTimePart(s: string, n: number): boolean {
  if (n < 16 || s.charCodeAt(13) !== 58) return false;
  const hh = two(s, 11);
  const mm = two(s, 14);
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59) return false;
  let i = 16;
  let ss = 0;
  if (i < n && s.charCodeAt(i) === 58) {
    ss = two(s, i + 1);
    if (ss < 0 || ss > 60) return false; // 60: leap second
    i += 3;
    if (i < n && (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44)) {
      const start = ++i;
      while (i < n && isDigit(s.charCodeAt(i))) i++;
      if (i === start) return false;
    }
  }
  dateKeyOfLast = dateKeyOfLast * 1_000_000 + hh * 10_000 + mm * 100 + ss;
  if (i === n) return true;
  const z = s.charCodeAt(i);
  if ((z === 90 || z === 122) && i + 1 === n) return true;
  if (z !== 43 && z !== 45) return false;
  const oh = two(s, i + 1);
  if (oh < 0 || oh > 23) return false;
  let j = i + 3;
  if (j < n && s.charCodeAt(j) === 58) j++;
  const om = two(s, j);
  return om >= 0 && om <= 59 && j + 2 === n;
}
