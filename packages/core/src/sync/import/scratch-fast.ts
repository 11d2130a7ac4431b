/**
 * @module sync/import/scratch-fast
 * The common case of a scratch block, straight from bytes to records:
 * every column stored as TEXT, no quote anywhere in the block, valid UTF-8.
 * Then a record ends at a line feed (a CR before it dropped), cells are cut
 * at delimiters, an empty cell is NULL, and a cell's bytes are the text the
 * serial path would store (its converters return text cells unchanged);
 * blank lines are skipped, as the parser does.
 *
 * Anything else — a quote, a wrong field count, an empty cell in a NOT NULL
 * column, a record bigger than a leaf — returns false before the block's
 * table is complete: the caller rewinds it and loads the block through the
 * reader and the converters, which store the same values or raise the
 * serial path's error.
 */
import { isUtf8 } from 'node:buffer';
import type { ColumnDef } from '../library/schema.js';
import { SQLITE_TYPES } from '../library/schema.js';
import { recordEncoder } from './record-encoder.js';
import type { ScratchFile } from './scratch-file.js';
import { bytesOf } from './split.js';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

export interface FastLayout {
  /** Fields per record in the file. */
  fileWidth: number;
  /** For each schema column, its field in the file, or -1 (absent: NULL). */
  source: Int32Array;
  notNull: boolean[];
}

/**
 * How the file's columns map onto the schema, or null when the fast path
 * cannot apply to any block (a non-TEXT column, a file column the schema
 * lacks, a required column the file lacks: the converters' cases).
 */
export function fastLayout(columns: readonly ColumnDef[], fileColumns: readonly string[]): FastLayout | null {
  if (columns.some((c) => SQLITE_TYPES[c.type] !== 'TEXT')) return null;
  const byName = new Map(fileColumns.map((n, i) => [n, i]));
  if (fileColumns.some((n) => !columns.some((c) => c.name === n))) return null;
  const source = Int32Array.from(columns, (c) => byName.get(c.name) ?? -1);
  if (columns.some((c, i) => !c.nullable && source[i]! < 0)) return null;
  return { fileWidth: fileColumns.length, source, notNull: columns.map((c) => !c.nullable) };
}

/**
 * Appends the records of `data[from..]` to the file's current table;
 * returns the line feeds it read, or -1 (rows possibly appended: rewind)
 * when the block needs the reader instead.
 */
export function loadFast(block: Uint8Array, from: number, delim: number, layout: FastLayout, out: ScratchFile): number {
  const data = bytesOf(block);
  // A record header of 16 KiB (thousands of columns) would not fit the one- or two-byte size written here.
  if (layout.source.length > 4096 || data.indexOf(QUOTE, from) >= 0 || !isUtf8(data.subarray(from))) return -1;
  const { fileWidth, source } = layout;
  const inOrder = fileWidth === source.length && source.every((s, c) => s === c);
  return inOrder ? inOrderRecords(data, from, delim, layout, out) : mappedRecords(data, from, delim, layout, out);
}

/** Writes the line `[pos, end)` as a record ending at `top` in the leaf; returns where it starts, or -1. */
type LineEncoder = (pos: number, end: number, top: number) => number;

/**
 * File columns in schema order: each line is read once, back to front,
 * its cells' bytes copied to the end of the leaf's free space as they are
 * met and the header written before them, so a cell needs no second pass.
 * The copy is record-encoder.wat's where WebAssembly runs (the block is
 * copied into its memory first), else `jsLine`.
 */
function inOrderRecords(data: Uint8Array, from: number, delim: number, layout: FastLayout, out: ScratchFile): number {
  const w = layout.notNull.length;
  const encoder = recordEncoder();
  const loaded = encoder && out.page === encoder.page ? encoder.load(data.subarray(from), layout.notNull) : null;
  if (encoder && loaded) return lines(loaded.memory, loaded.start, w, out, (pos, end, top) => encoder.encode(pos, end, top, delim, w));
  return lines(bytesOf(data), from, w, out, jsLine(data, delim, layout, out.page));
}

function lines(data: Buffer, from: number, w: number, out: ScratchFile, encode: LineEncoder): number {
  // Header (3 bytes a cell at most, 2 for its size) and the cell's two varints.
  const overhead = 3 * w + 2 + 12;
  const len = data.length;
  let count = 0;
  let pos = from;
  while (pos < len) {
    let nl = data.indexOf(LF, pos);
    if (nl < 0) nl = len;
    else count++;
    let end = nl;
    if (end > pos && data[end - 1] === CR) end--;
    if (end === pos) {
      pos = nl + 1;
      continue;
    }
    if (end - pos + overhead > out.maxLocal) return -1;
    const start = encode(pos, end, out.cellEnd(end - pos + overhead));
    if (start < 0) return -1;
    out.endCell(start);
    pos = nl + 1;
  }
  return count;
}

function jsLine(data: Uint8Array, delim: number, layout: FastLayout, page: Uint8Array): LineEncoder {
  const { notNull } = layout;
  const w = notNull.length;
  const lens = new Int32Array(w);
  return (pos, end, top) => {
    let o = top;
    let f = w - 1;
    let cellEnd = top;
    for (let i = end - 1; i >= pos; i--) {
      const b = data[i]!;
      if (b === delim) {
        if (f === 0) return -1;
        lens[f--] = cellEnd - o;
        cellEnd = o;
      } else page[--o] = b;
    }
    if (f !== 0) return -1;
    lens[0] = cellEnd - o;
    let serials = 0;
    for (let c = w - 1; c >= 0; c--) {
      const n = lens[c]!;
      if (n === 0) {
        if (notNull[c]) return -1;
        page[--o] = 0;
        serials++;
      } else {
        const t = 2 * n + 13;
        if (t < 0x80) {
          page[--o] = t;
          serials++;
        } else if (t < 0x4000) {
          page[--o] = t & 0x7f;
          page[--o] = 0x80 | (t >>> 7);
          serials += 2;
        } else {
          page[--o] = t & 0x7f;
          page[--o] = 0x80 | ((t >>> 7) & 0x7f);
          page[--o] = 0x80 | (t >>> 14);
          serials += 3;
        }
      }
    }
    const header = serials < 127 ? serials + 1 : serials + 2;
    if (header < 0x80) page[--o] = header;
    else {
      page[--o] = header & 0x7f;
      page[--o] = 0x80 | (header >>> 7);
    }
    return o;
  };
}

/** Any other layout (columns reordered or absent): cells found first, then copied in schema order. */
function mappedRecords(data: Uint8Array, from: number, delim: number, layout: FastLayout, out: ScratchFile): number {
  const { fileWidth, source, notNull } = layout;
  const w = source.length;
  const starts = new Int32Array(fileWidth);
  const ends = new Int32Array(fileWidth);
  const page = out.page;
  const maxLocal = out.maxLocal;
  const len = data.length;
  let lines = 0;
  let pos = from;
  while (pos < len) {
    let nl = data.indexOf(LF, pos);
    if (nl < 0) nl = len;
    else lines++;
    let end = nl;
    if (end > pos && data[end - 1] === CR) end--;
    if (end === pos) {
      pos = nl + 1;
      continue;
    }
    let f = 0;
    let p = pos;
    for (let i = pos; i < end; i++) {
      if (data[i] === delim) {
        if (f === fileWidth - 1) return -1;
        starts[f] = p;
        ends[f++] = i;
        p = i + 1;
      }
    }
    if (f !== fileWidth - 1) return -1;
    starts[f] = p;
    ends[f] = end;
    let header = 0;
    let body = 0;
    for (let c = 0; c < w; c++) {
      const i = source[c]!;
      const n = i < 0 ? 0 : ends[i]! - starts[i]!;
      if (n === 0) {
        if (notNull[c]) return -1;
        header += 1;
      } else {
        header += n < 58 ? 1 : n < 8186 ? 2 : 3;
        body += n;
      }
    }
    header += header < 127 ? 1 : 2;
    if (header + body > maxLocal || header > 16383) return -1;
    let o = out.cell(header + body);
    if (header < 128) page[o++] = header;
    else {
      page[o++] = 0x80 | (header >>> 7);
      page[o++] = header & 0x7f;
    }
    for (let c = 0; c < w; c++) {
      const i = source[c]!;
      const n = i < 0 ? 0 : ends[i]! - starts[i]!;
      const t = n === 0 ? 0 : 2 * n + 13;
      if (t < 0x80) page[o++] = t;
      else if (t < 0x4000) {
        page[o++] = 0x80 | (t >>> 7);
        page[o++] = t & 0x7f;
      } else {
        page[o++] = 0x80 | (t >>> 14);
        page[o++] = 0x80 | ((t >>> 7) & 0x7f);
        page[o++] = t & 0x7f;
      }
    }
    for (let c = 0; c < w; c++) {
      const i = source[c]!;
      if (i < 0) continue;
      for (let k = starts[i]!, e = ends[i]!; k < e; k++) page[o++] = data[k]!;
    }
    pos = nl + 1;
  }
  return lines;
}
