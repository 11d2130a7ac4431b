import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SQLITE_TYPES, createTableSql, type ColumnDef } from '../library/schema.js';
import type { SqlValue } from './convert.js';
import { ScratchFile, putVarint, varintLen } from './scratch-file.js';
import { recordEncoder } from './record-encoder.js';
import { fastLayout, loadFast } from './scratch-fast.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dme-scratch-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const MIXED: ColumnDef[] = [
  { name: 'i', type: 'integer', nullable: true },
  { name: 'r', type: 'real', nullable: true },
  { name: 't', type: 'text', nullable: true },
  { name: 'b', type: 'boolean', nullable: true },
];
const INTS = [0, 1, -1, 127, 128, -128, -129, 32767, -32768, 8388607, -8388609, 2 ** 31, -(2 ** 31) - 1, 2 ** 40, 2 ** 47 - 1, -(2 ** 47), 2 ** 47, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
const BIGS = [2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n];
const REALS = [1.5, -0.25, 1e300, 3, -7, 5e-324, 2 ** 60];
const TEXTS = ['', 'a', 'é ü', '電話 📞', 'x'.repeat(57), 'y'.repeat(58), 'z'.repeat(8186), 'w'.repeat(70_000), 'v'.repeat(200_000)];

function mixedRows(): SqlValue[][] {
  const rows: SqlValue[][] = [];
  const n = Math.max(INTS.length, BIGS.length, REALS.length, TEXTS.length);
  for (let k = 0; k < n; k++) rows.push([INTS[k] ?? BIGS[k % BIGS.length]!, REALS[k] ?? null, TEXTS[k] ?? null, k % 3 === 2 ? null : k % 2]);
  for (const b of BIGS) rows.push([b, null, null, null]);
  for (let k = 0; k < 10_000; k++) rows.push([k, k / 4, `row ${k}`, k & 1]); // several leaves and an interior page
  return rows;
}

/** Opens a written file the way the importer does: attached, integrity-checked, copied into an identical table. */
function copyOut(file: string, table: string, columns: ColumnDef[]): Database.Database {
  const db = new Database(':memory:');
  db.defaultSafeIntegers(true);
  db.exec(createTableSql('dest', columns, []));
  db.prepare('ATTACH ? AS s').run(file);
  expect(db.pragma('s.integrity_check', { simple: true })).toBe('ok');
  db.exec(`INSERT INTO dest SELECT * FROM s."${table}"`);
  return db;
}

describe('scratch files in SQLite’s format', () => {
  it('varints round-trip at every length', () => {
    const buf = new Uint8Array(9);
    for (const v of [0, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28, 2 ** 35, 2 ** 42, 2 ** 49, Number.MAX_SAFE_INTEGER]) {
      const end = putVarint(buf, 0, v);
      expect(end).toBe(varintLen(v));
      let x = 0n;
      for (let i = 0; i < end; i++) x = (x << 7n) | BigInt(buf[i]! & 0x7f);
      expect(x).toBe(BigInt(v));
    }
  });

  it('stores every kind of value as SQLite reads it back, big records and many pages included', () => {
    const path = join(dir, 'mixed.db');
    const f = new ScratchFile(path);
    const types = MIXED.map((c) => SQLITE_TYPES[c.type]);
    const rows = mixedRows();
    for (const r of rows) f.appendRow(r, 0, types);
    f.endTable('b0', createTableSql('b0', MIXED, []));
    f.endTable('b1', createTableSql('b1', MIXED, [])); // empty
    f.appendRow([5, 0.5, 'after a rewind', 1], 0, types);
    f.rewind();
    f.appendRow([6, 0.75, 'kept', 0], 0, types);
    f.endTable('b2', createTableSql('b2', MIXED, []));
    f.close();

    const db = copyOut(path, 'b0', MIXED);
    const back = db.prepare('SELECT i, r, t, b, typeof(i) ti, typeof(r) tr, typeof(t) tt FROM dest ORDER BY rowid').raw().all() as unknown[][];
    expect(back).toHaveLength(rows.length);
    const big = (v: SqlValue): unknown => (v === null ? null : BigInt(v));
    const kind = (v: SqlValue, t: string): string => (v === null ? 'null' : t);
    const want = rows.map((r) => [big(r[0]!), r[1], r[2], big(r[3]!), kind(r[0]!, 'integer'), kind(r[1]!, 'real'), kind(r[2]!, 'text')]);
    expect(back.map((r) => [r[0], r[1] === null ? null : Number(r[1] as number), ...r.slice(2)])).toEqual(want);
    expect(db.prepare('SELECT count(*) FROM s.b1').pluck().get()).toBe(0n);
    expect(db.prepare('SELECT i, t FROM s.b2').raw().all()).toEqual([[6n, 'kept']]);
    db.close();
  });

  it('keeps a schema bigger than page 1 (many tables per file)', () => {
    const path = join(dir, 'many.db');
    const wide: ColumnDef[] = Array.from({ length: 40 }, (_, k) => ({ name: `column_with_a_long_name_${k}`, type: 'text', nullable: true }));
    const f = new ScratchFile(path);
    const types = wide.map(() => 'TEXT' as const);
    for (let t = 0; t < 120; t++) {
      f.appendRow(wide.map((_, k) => `${t}:${k}`), 0, types);
      f.endTable(`b${t}`, createTableSql(`b${t}`, wide, []));
    }
    f.close();
    const db = copyOut(path, 'b119', wide);
    expect(db.prepare('SELECT count(*) FROM s.sqlite_schema').pluck().get()).toBe(120n);
    expect(db.prepare('SELECT column_with_a_long_name_39 FROM dest').pluck().get()).toBe('119:39');
    db.close();
  });
});

describe('the byte-level path', () => {
  const TEXTUAL: ColumnDef[] = [
    { name: 'a', type: 'phone_e164', nullable: false },
    { name: 'b', type: 'text', nullable: true },
    { name: 'c', type: 'datetime', nullable: true },
  ];
  const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));

  it('applies only where the converters would store text unchanged', () => {
    expect(fastLayout(TEXTUAL, ['c', 'a', 'b'])).toMatchObject({ fileWidth: 3, source: Int32Array.from([1, 2, 0]) });
    expect(fastLayout(TEXTUAL, ['a'])).toMatchObject({ source: Int32Array.from([0, -1, -1]) });
    expect(fastLayout(TEXTUAL, ['b', 'c'])).toBeNull(); // a required column missing
    expect(fastLayout(TEXTUAL, ['a', 'b', 'c', 'd'])).toBeNull(); // a column the schema lacks
    expect(fastLayout([...TEXTUAL, { name: 'n', type: 'integer', nullable: true }], ['a', 'b', 'c', 'n'])).toBeNull();
  });

  // In file order the lines go through record-encoder.wat when the ScratchFile builds its leaves in the encoder's page.
  const encoders = { javascript: undefined, webassembly: recordEncoder()!.page };
  for (const [order, encoder] of [[['a', 'b', 'c'], 'javascript'], [['a', 'b', 'c'], 'webassembly'], [['c', 'a', 'b'], 'javascript']] as const) {
    it(`stores what the reader would, or declines the block (file columns ${order.join(',')}, ${encoder})`, () => {
      const page = encoders[encoder];
      const layout = fastLayout(TEXTUAL, order)!;
      /** Lines given as cells in schema order (a, b, c), written in the file's order. */
      const line = (cells: string[]): string => order.map((n) => cells['abc'.indexOf(n)]).join(',');
      const load = (text: string): SqlValue[][] | number => {
        const path = join(dir, `f${Math.random()}.db`);
        const f = new ScratchFile(path, 65536, page);
        const lines = loadFast(bytes(text), 0, 0x2c, layout, f);
        if (lines < 0) {
          f.close();
          return lines;
        }
        f.endTable('b0', createTableSql('b0', TEXTUAL, []));
        f.close();
        const db = copyOut(path, 'b0', TEXTUAL);
        const rows = db.prepare('SELECT a, b, c FROM dest ORDER BY rowid').raw().all() as SqlValue[][];
        db.close();
        return rows;
      };
      const long = 'é'.repeat(5000);
      const text = `${line(['+1', 'x', 't1'])}\r\n\n\r\n${line(['+2', '', ''])}\n${line(['+3', long, 't3'])}\n${line(['+4', 'last', '2025-01-01'])}`;
      expect(load(text)).toEqual([
        ['+1', 'x', 't1'],
        ['+2', null, null],
        ['+3', long, 't3'],
        ['+4', 'last', '2025-01-01'],
      ]);
      expect(loadFast(bytes(text), 0, 0x2c, layout, new ScratchFile(join(dir, 'count.db'), 65536, page))).toBe(5); // line feeds read
      const many = Array.from({ length: 3000 }, (_, i) => line([`+${i}`, `${i}`.repeat(i % 40), `t${i}`])).join('\n');
      const rows = load(many) as SqlValue[][];
      expect(rows).toHaveLength(3000); // several leaves
      expect(rows[2999]).toEqual(['+2999', '2999'.repeat(39), 't2999']);
      expect(load(`${line(['+1', '"quoted"', 't'])}\n`)).toBe(-1);
      expect(load('t,+1\n')).toBe(-1); // too few fields
      expect(load('t,+1,x,y\n')).toBe(-1); // too many
      expect(load(`${line(['', 'x', 't'])}\n`)).toBe(-1); // NOT NULL column empty: the converters raise IMPORT_NULL
      expect(load(`${line(['+1', 'x'.repeat(70_000), 't'])}\n`)).toBe(-1); // bigger than a leaf
      expect(load(`${line(['+1', '\u00ff', 't'])}\n`)).toEqual([['+1', '\u00ff', 't']]);
      const bad = bytes(`${line(['+1', 'x', 't'])}\n`);
      bad[bad.indexOf(0x78)] = 0xc3; // a lone lead byte: not UTF-8
      expect(loadFast(bad, 0, 0x2c, layout, new ScratchFile(join(dir, 'bad.db'), 65536, page))).toBe(-1);
    });
  }
});
