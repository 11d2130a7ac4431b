/**
 * @module sync/import/split
 * Cuts CSV/TSV plaintext into blocks of whole records, so that each block
 * can be parsed on its own by a scratch worker (scratch.ts). A record ends
 * at a line feed outside a quoted field; quotes follow the parser's rules
 * (formats/delimited.ts): a quote opens a quoted field only at the start of
 * a field, `""` inside one is an escaped quote, any other quote is literal.
 * Blocks without a quote (the common case) cost two native searches.
 * Invariant: every block handed out starts at a record start, so the
 * worker's parser sees exactly the records the serial parser would.
 */

const QUOTE = 0x22;

/**
 * A Buffer view of the same bytes: Buffer#indexOf is a native memchr, where
 * Uint8Array#indexOf walks element by element (1 MiB: 33 µs against 1.5 ms;
 * one line: 75 ns against 206 ns, Node 20).
 */
export function bytesOf(buf: Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}
const LF = 0x0a;
const CR = 0x0d;

/**
 * The index just past the last complete record in `buf[from..]` (which
 * starts at a record start), or -1 when no record ends inside it.
 */
export function lastRecordEnd(block: Uint8Array, from: number, delim: number): number {
  const buf = bytesOf(block);
  const q = buf.indexOf(QUOTE, from);
  if (q < 0) {
    const lf = buf.lastIndexOf(LF);
    return lf >= from ? lf + 1 : -1;
  }
  // Quotes before the first one cannot matter: start the scan at the last record end before it.
  const before = q === 0 ? -1 : buf.lastIndexOf(LF, q - 1);
  return scanQuoted(buf, before >= from ? before + 1 : from, delim, before >= from ? before + 1 : -1, false);
}

/** The index just past the first non-blank record (the header), or -1 when it does not end in `buf`. */
export function headerEnd(buf: Uint8Array, delim: number): number {
  let from = 0;
  for (;;) {
    const end = scanQuoted(buf, from, delim, -1, true);
    if (end < 0) return -1;
    // The parser skips blank lines (an empty line or a lone CR) before the header.
    const blank = end - from === 1 || (end - from === 2 && buf[from] === CR) || (from === 0 && isBomLine(buf, end));
    if (!blank) return end;
    from = end;
  }
}

function isBomLine(buf: Uint8Array, end: number): boolean {
  return buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf && (end === 4 || (end === 5 && buf[3] === CR));
}

/** Byte-level scan from a record start: the last record end (or the first, with `first`). */
function scanQuoted(buf: Uint8Array, from: number, delim: number, lastEnd: number, first: boolean): number {
  const len = buf.length;
  let inQuotes = false;
  let fieldStart = true;
  for (let i = from; i < len; i++) {
    const c = buf[i]!;
    if (inQuotes) {
      if (c === QUOTE) {
        if (i + 1 < len && buf[i + 1] === QUOTE) i++;
        else inQuotes = false;
      }
    } else if (c === LF) {
      if (first) return i + 1;
      lastEnd = i + 1;
      fieldStart = true;
    } else if (c === QUOTE && fieldStart) {
      inQuotes = true;
      fieldStart = false;
    } else {
      fieldStart = c === delim;
    }
  }
  return lastEnd;
}

/** Line feeds in `buf`: lines a block spans, to turn a worker's line numbers into the file's. */
export function countLines(block: Uint8Array): number {
  const buf = bytesOf(block);
  let n = 0;
  for (let i = buf.indexOf(LF); i >= 0; i = buf.indexOf(LF, i + 1)) n++;
  return n;
}
