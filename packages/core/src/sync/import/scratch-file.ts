/**
 * @module sync/import/scratch-file
 * Writes a scratch database (scratch.ts) in SQLite's file format directly,
 * without SQLite: rowid tables built bottom-up, leaf pages written as they
 * fill, interior levels and the schema at the end. Through better-sqlite3 a
 * worker spent most of its time binding values (a UTF-8 copy and two
 * mallocs per cell) and in SQLite's insert; here a record is its cells'
 * bytes behind a header of lengths, and a CSV cell's bytes already are the
 * UTF-8 text SQLite stores (scratch-fast.ts).
 *
 * The importing thread only reads these files, and only through
 * `INSERT … SELECT *` into an identical STRICT table, which copies records
 * without decoding them: a record must therefore hold exactly what SQLite
 * would store for the column (TEXT: text or NULL; INTEGER: an integer;
 * REAL: a float or an integer standing for one). Format references:
 * https://www.sqlite.org/fileformat2.html (database header, b-tree pages,
 * cell and record formats, overflow pages, the lock-byte page).
 *
 * Invariants: pages are written once, in place, by page number; a table's
 * rows get rowids 1..n in the order appended; `rewind()` forgets the table
 * in progress (its pages are overwritten by whatever comes next);
 * `close()` writes page 1 last, so a file is valid only once closed.
 */
import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { writeOffGrid } from '../../fs/off-grid.js';
import type { SqliteType } from '../library/schema.js';
import type { SqlValue } from './convert.js';

const LEAF = 13;
const INTERIOR = 5;
/** The page holding byte 2^30 is reserved for locks and never part of a b-tree. */
const PENDING_BYTE = 0x40000000;
const RUN_BYTES = 1 << 20;

export function varintLen(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  let n = 5;
  for (let x = Math.floor(v / 0x10000000); x >= 0x80 && n < 9; x = Math.floor(x / 0x80)) n++;
  return n;
}

/** SQLite varint (big-endian, 7 bits a byte); `v` is a non-negative safe integer (< 2^53, so 8 bytes at most). */
export function putVarint(buf: Uint8Array, off: number, v: number): number {
  if (v < 0x80) {
    buf[off] = v;
    return off + 1;
  }
  if (v < 0x4000) {
    buf[off] = 0x80 | (v >>> 7);
    buf[off + 1] = v & 0x7f;
    return off + 2;
  }
  const n = varintLen(v);
  let x = v;
  for (let i = n - 1; i >= 0; i--) {
    buf[off + i] = (x % 0x80) | (i === n - 1 ? 0 : 0x80);
    x = Math.floor(x / 0x80);
  }
  return off + n;
}

interface Child {
  page: number;
  lastRowid: number;
}

export class ScratchFile {
  readonly pageSize: number;
  /** Largest payload stored whole in a leaf cell. */
  readonly maxLocal: number;
  private readonly fd: number;
  /** The leaf being filled. */
  readonly page: Buffer;
  private cells = 0;
  /** Bytes kept free at the start of the leaf: the database header's, while the schema is written. */
  private reserve = 0;
  private content: number;
  private rowid = 0;
  private leaves: Child[] = [];
  private nextPage = 2;
  private tableStart = 2;
  private readonly tables: { name: string; root: number; sql: string }[] = [];
  private closed = false;
  private readonly run: Buffer;
  private runStart = 0;
  private runPages = 0;

  /** `page`: memory to build leaves in, used when it is `pageSize` long (scratch-fast.ts encodes into record-encoder's). */
  constructor(path: string, pageSize = 65536, page?: Buffer) {
    this.pageSize = pageSize;
    this.maxLocal = pageSize - 35;
    this.page = page?.length === pageSize ? page : Buffer.alloc(pageSize);
    this.run = Buffer.allocUnsafe(Math.max(pageSize, RUN_BYTES));
    this.content = pageSize;
    this.fd = openSync(path, 'w');
  }

  /** Rows appended to the current table so far. */
  get rows(): number {
    return this.rowid;
  }

  private allocate(): number {
    if (this.nextPage === Math.floor(PENDING_BYTE / this.pageSize) + 1) this.nextPage++;
    return this.nextPage++;
  }

  /** Consecutive pages are written together (a write per page was ~6k syscalls per worker at 5M phone rows). */
  private writePage(buf: Uint8Array, page: number): void {
    const P = this.pageSize;
    if (this.runPages > 0 && (page !== this.runStart + this.runPages || (this.runPages + 1) * P > this.run.length)) this.flushRun();
    if (this.runPages === 0) this.runStart = page;
    this.run.set(buf.subarray(0, P), this.runPages++ * P);
  }

  private flushRun(): void {
    if (this.runPages === 0) return;
    writeOffGrid(this.fd, this.run, 0, this.runPages * this.pageSize, (this.runStart - 1) * this.pageSize);
    this.runPages = 0;
  }

  /**
   * Room for the next row's cell of `payload` bytes (at most maxLocal);
   * returns where the payload goes in `page` (size and rowid written).
   */
  cell(payload: number): number {
    const size = varintLen(payload) + varintLen(this.rowid + 1) + payload;
    if (this.reserve + 8 + 2 * (this.cells + 1) + size > this.content) this.flushLeaf();
    const rowid = ++this.rowid;
    const at = (this.content -= size);
    const p = this.page;
    const ptr = 8 + 2 * this.cells++;
    p[ptr] = at >>> 8;
    p[ptr + 1] = at & 0xff;
    return putVarint(p, putVarint(p, at, payload), rowid);
  }

  /**
   * For a cell written back to front: makes sure the leaf has `room` free
   * bytes and returns the offset its cell must end at.
   */
  cellEnd(room: number): number {
    if (this.reserve + 8 + 2 * (this.cells + 1) + room > this.content) this.flushLeaf();
    return this.content;
  }

  /** Completes the cell whose record (header and body) was written from `start` up to `cellEnd()`. */
  endCell(start: number): void {
    const payload = this.content - start;
    const rowid = ++this.rowid;
    const at = start - varintLen(payload) - varintLen(rowid);
    putVarint(this.page, putVarint(this.page, at, payload), rowid);
    this.content = at;
    const ptr = 8 + 2 * this.cells++;
    this.page[ptr] = at >>> 8;
    this.page[ptr + 1] = at & 0xff;
  }

  private flushLeaf(): void {
    const p = this.page;
    p[0] = LEAF;
    p.writeUInt16BE(0, 1);
    p.writeUInt16BE(this.cells, 3);
    p.writeUInt16BE(this.content & 0xffff, 5); // 65536 is written as 0
    p[7] = 0;
    const page = this.allocate();
    this.writePage(p, page);
    this.leaves.push({ page, lastRowid: this.rowid });
    this.cells = 0;
    this.content = this.pageSize;
  }

  /** Appends one row of values (schema order, `types` per column); any size, overflow pages included. */
  appendRow(values: readonly SqlValue[], base: number, types: readonly SqliteType[]): void {
    const w = types.length;
    const serial = new Array<number>(w);
    let header = 0;
    let body = 0;
    for (let c = 0; c < w; c++) {
      const [t, n] = serialOf(values[base + c]!, types[c]!);
      serial[c] = t;
      header += varintLen(t);
      body += n;
    }
    let total = header + 1; // the header's own size is part of it
    while (varintLen(total) > total - header) total++;
    header = total;
    const size = header + body;
    const rec = size <= this.maxLocal ? undefined : Buffer.alloc(size);
    let o = rec ? 0 : this.cell(size);
    const out = rec ?? this.page;
    o = putVarint(out, o, header);
    for (let c = 0; c < w; c++) o = putVarint(out, o, serial[c]!);
    for (let c = 0; c < w; c++) o = putValue(out, o, values[base + c]!, serial[c]!);
    if (rec) this.spill(rec);
  }

  /** A record too big for a leaf: its head in the cell, the rest in a chain of overflow pages. */
  private spill(rec: Buffer): void {
    const U = this.pageSize;
    const M = Math.floor(((U - 12) * 32) / 255) - 23;
    const K = M + ((rec.length - M) % (U - 4));
    const local = K <= this.maxLocal ? K : M;
    const size = varintLen(rec.length) + varintLen(this.rowid + 1) + local + 4;
    if (this.reserve + 8 + 2 * (this.cells + 1) + size > this.content) this.flushLeaf();
    const rowid = ++this.rowid;
    const at = (this.content -= size);
    this.page.writeUInt16BE(at, 8 + 2 * this.cells++);
    let o = putVarint(this.page, putVarint(this.page, at, rec.length), rowid);
    rec.copy(this.page, o, 0, local);
    o += local;
    const over = Buffer.alloc(U);
    let page = this.allocate();
    this.page.writeUInt32BE(page, o);
    for (let from = local; from < rec.length; from += U - 4) {
      const last = from + (U - 4) >= rec.length;
      const next = last ? 0 : this.allocate();
      over.fill(0);
      over.writeUInt32BE(next, 0);
      rec.copy(over, 4, from, Math.min(rec.length, from + U - 4));
      this.writePage(over, page);
      page = next;
    }
  }

  /** Forgets the rows of the table in progress; its pages will be overwritten. */
  rewind(): void {
    this.flushRun(); // pages past the table start are rewritten later
    this.nextPage = this.tableStart;
    this.leaves = [];
    this.cells = 0;
    this.content = this.pageSize;
    this.rowid = 0;
  }

  /** Ends the table in progress (its rows so far) as `name`, created by `sql`; the next rows start a new table. */
  endTable(name: string, sql: string): void {
    if (this.cells > 0 || this.leaves.length === 0) this.flushLeaf();
    this.tables.push({ name, root: this.interior(this.leaves, false), sql });
    this.leaves = [];
    this.rowid = 0;
    this.tableStart = this.nextPage;
  }

  /** Interior levels over `children` until one root; on page 1 (after the header) when `first`. */
  private interior(children: Child[], first: boolean): number {
    if (children.length === 1 && !first) return children[0]!.page;
    const U = this.pageSize;
    // 4-byte child + 9-byte varint key + 2-byte pointer: a fan-out that fits even page 1.
    const fanout = Math.floor((U - 100 - 12) / 15);
    const buf = Buffer.alloc(U);
    let level = children;
    for (;;) {
      const root = level.length <= fanout;
      const next: Child[] = [];
      for (let i = 0; i < level.length; i += fanout) {
        const group = level.slice(i, i + fanout);
        const page = root && first ? 1 : this.allocate();
        const h = page === 1 ? 100 : 0;
        buf.fill(0);
        let content = U;
        for (let k = 0; k < group.length - 1; k++) {
          const key = group[k]!.lastRowid;
          content -= 4 + varintLen(key);
          buf.writeUInt32BE(group[k]!.page, content);
          putVarint(buf, content + 4, key);
          buf.writeUInt16BE(content, h + 12 + 2 * k);
        }
        buf[h] = INTERIOR;
        buf.writeUInt16BE(group.length - 1, h + 3);
        buf.writeUInt16BE(content & 0xffff, h + 5);
        buf.writeUInt32BE(group.at(-1)!.page, h + 8);
        if (page === 1) return this.writePage1(buf);
        this.writePage(buf, page);
        next.push({ page, lastRowid: group.at(-1)!.lastRowid });
      }
      if (root) return next[0]!.page;
      level = next;
    }
  }

  /** Writes the schema and the header (page 1) and closes the file. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.rewind(); // a table in progress (its block failed) is left out
      this.reserve = 100;
      const rows: SqlValue[] = this.tables.flatMap((t) => ['table', t.name, t.name, t.root, t.sql]);
      const types: SqliteType[] = ['TEXT', 'TEXT', 'TEXT', 'INTEGER', 'TEXT'];
      for (let i = 0; i < rows.length; i += 5) this.appendRow(rows, i, types);
      if (this.leaves.length === 0) {
        // The whole schema is one leaf: move it onto page 1, after the database header.
        const p = this.page;
        p[100] = LEAF;
        p.writeUInt16BE(0, 101);
        p.writeUInt16BE(this.cells, 103);
        p.writeUInt16BE(this.content & 0xffff, 105);
        p[107] = 0;
        p.copy(p, 108, 8, 8 + 2 * this.cells);
        this.writePage1(p);
      } else {
        // More than a page 1 leaf holds, so at least two leaves: page 1 is their interior root.
        if (this.cells > 0) this.flushLeaf();
        this.interior(this.leaves, true);
      }
      this.flushRun();
      ftruncateSync(this.fd, (this.nextPage - 1) * this.pageSize);
    } finally {
      closeSync(this.fd);
    }
  }

  private writePage1(p: Buffer): number {
    p.fill(0, 0, 100);
    p.write('SQLite format 3\0', 0, 'latin1');
    p.writeUInt16BE(this.pageSize === 65536 ? 1 : this.pageSize, 16);
    p[18] = 1; // rollback journal, read and write
    p[19] = 1;
    p[21] = 64; // payload fractions: fixed by the format
    p[22] = 32;
    p[23] = 32;
    p.writeUInt32BE(1, 24); // change counter, equal to version-valid-for below: the page count is valid
    p.writeUInt32BE(this.nextPage - 1, 28);
    p.writeUInt32BE(1, 40); // schema cookie
    p.writeUInt32BE(4, 44); // schema format 4 (serial types 8 and 9)
    p.writeUInt32BE(1, 56); // UTF-8
    p.writeUInt32BE(1, 92);
    p.writeUInt32BE(3045000, 96);
    this.writePage(p, 1);
    return 1;
  }
}

/** Serial type and body size of one value in a column of `type`. */
function serialOf(v: SqlValue, type: SqliteType): [number, number] {
  if (v === null) return [0, 0];
  if (typeof v === 'string') {
    const n = Buffer.byteLength(v, 'utf8');
    return [2 * n + 13, n];
  }
  if (typeof v === 'bigint') return [6, 8];
  if (type === 'INTEGER' && Number.isSafeInteger(v)) {
    if (v === 0) return [8, 0];
    if (v === 1) return [9, 0];
    if (v >= -128 && v < 128) return [1, 1];
    if (v >= -32768 && v < 32768) return [2, 2];
    if (v >= -8388608 && v < 8388608) return [3, 3];
    if (v >= -2147483648 && v < 2147483648) return [4, 4];
    if (v >= -140737488355328 && v < 140737488355328) return [5, 6];
    return [6, 8];
  }
  if (type === 'TEXT' || type === 'INTEGER') throw new Error(`scratch file: ${String(v)} cannot be stored in a ${type} column`);
  return [7, 8];
}

function putValue(buf: Buffer, off: number, v: SqlValue, serial: number): number {
  if (serial === 0 || serial === 8 || serial === 9) return off;
  if (typeof v === 'string') return off + buf.write(v, off, 'utf8');
  if (typeof v === 'bigint') return buf.writeBigInt64BE(v, off);
  const n = v as number;
  if (serial === 7) return buf.writeDoubleBE(n, off);
  if (serial === 6) return buf.writeBigInt64BE(BigInt(n), off);
  const bytes = serial === 5 ? 6 : serial;
  return buf.writeIntBE(n, off, bytes);
}
