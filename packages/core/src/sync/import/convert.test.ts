import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLibrary, type Library } from '../library/library.js';
import type { LibraryDataset, ReleaseInfo } from '../library/metadata.js';
import type { ColumnDef } from '../library/schema.js';
import { INVALID, converterFor } from './convert.js';
import { importRelease } from './import.js';

const TYPED: ColumnDef[] = [
  { name: 'id', type: 'integer', nullable: false },
  { name: 'price', type: 'real', nullable: true },
  { name: 'active', type: 'boolean', nullable: true },
  { name: 'seen', type: 'date', nullable: true },
  { name: 'note', type: 'text', nullable: true },
];

const ds = (columns: ColumnDef[] = TYPED): LibraryDataset => ({ id: 'd', slug: 'typed', name: 'Typed', producer: 'p', importMode: 'snapshot', keyColumns: [], columns });
const rel = (id = 'r1'): ReleaseInfo => ({ id, schemaVersion: 'v1', payloadSha256: '0'.repeat(64), plaintextSha256: '1'.repeat(64), producerKeyFingerprint: 'fp' });
const src = (b: string | Buffer): Readable => Readable.from([typeof b === 'string' ? Buffer.from(b) : b]);

let dir: string;
let lib: Library;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dme-convert-'));
  lib = openLibrary(join(dir, 'library.db'));
});
afterEach(() => {
  lib.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('converters', () => {
  it.each([
    ['integer', ' 42 ', 42],
    ['integer', '-7', -7],
    ['integer', '', null],
    ['integer', true, 1],
    ['integer', '4.5', INVALID],
    ['integer', '12abc', INVALID],
    ['integer', '9223372036854775808', INVALID],
    ['integer', 1.5, INVALID],
    ['real', '1.5', 1.5],
    ['real', '-2e3', -2000],
    ['real', '.5', 0.5],
    ['real', 3, 3],
    ['real', 'NaN', INVALID],
    ['real', 'Infinity', INVALID],
    ['real', '0x10', INVALID],
    ['boolean', 'Yes', 1],
    ['boolean', 'f', 0],
    ['boolean', false, 0],
    ['boolean', 1, 1],
    ['boolean', 'maybe', INVALID],
    ['boolean', 2, INVALID],
    ['text', 12, '12'],
    ['phone_e164', '+12125550100', '+12125550100'],
    ['datetime', null, null],
  ] as const)('%s %j → %j', (type, cell, want) => {
    expect(converterFor(type)(cell)).toEqual(want);
  });
});

describe('typed columns in the library', () => {
  it('stores SQLite types per column and keeps 64-bit integers exact', async () => {
    const csv = 'id,price,active,seen,note\n1,9.99,yes,2024-05-01,hello\n9007199254740993,,0,,\n';
    await importRelease(lib, { dataset: ds(), release: rel(), source: src(csv) });
    const rows = lib.db.prepare('SELECT typeof(id) AS ti, typeof(price) AS tp, typeof(active) AS ta, typeof(seen) AS ts, active, seen FROM typed ORDER BY rowid').all();
    expect(rows).toEqual([
      { ti: 'integer', tp: 'real', ta: 'integer', ts: 'text', active: 1, seen: '2024-05-01' },
      { ti: 'integer', tp: 'null', ta: 'integer', ts: 'null', active: 0, seen: null },
    ]);
    const big = lib.db.prepare('SELECT id FROM typed WHERE rowid = 2').safeIntegers(true).get() as { id: bigint };
    expect(big.id).toBe(9007199254740993n);
  });

  it('names the line, record and column of a value that does not convert, and imports nothing', async () => {
    const csv = 'id,price,active,seen,note\n1,1.0,true,,\n2,cheap,true,,\n';
    const err = await importRelease(lib, { dataset: ds(), release: rel(), source: src(csv) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'IMPORT_CONVERSION', location: { line: 3, record: 2, column: 'price' } });
    expect((err as Error).message).toBe('line 3 (record 2), column price: "cheap" is not a number');
    expect(lib.db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name LIKE '%typed%'").get()).toEqual({ n: 0 });
  });

  it('refuses a missing value in a NOT NULL column', async () => {
    const err = await importRelease(lib, { dataset: ds(), release: rel(), source: src('id,price\n1,2\n,3\n') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'IMPORT_NULL', location: { line: 3, column: 'id' } });
  });

  it('refuses a file column the schema does not declare', async () => {
    const err = await importRelease(lib, { dataset: ds(), release: rel(), source: src('id,secret\n1,x\n') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'IMPORT_UNKNOWN_COLUMN', location: { column: 'secret' } });
  });

  it('reports unreadable files as IMPORT_FORMAT with the reader line', async () => {
    const err = await importRelease(lib, { dataset: ds(), release: rel(), source: src('id,price\n1,2\n3,4,5\n'), format: 'csv' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'IMPORT_FORMAT', location: { line: 3 } });
  });

  it('types every column as nullable TEXT when the release declares no schema', async () => {
    await importRelease(lib, { dataset: ds([]), release: rel(), source: src('a,b\n1,x\n') });
    expect(lib.db.prepare("SELECT name, type, \"notnull\" FROM pragma_table_info('typed')").all()).toEqual([
      { name: 'a', type: 'TEXT', notnull: 0 },
      { name: 'b', type: 'TEXT', notnull: 0 },
    ]);
  });
});

describe('formats through readRecords', () => {
  const want = [
    { id: 1, price: 2.5, active: 1, seen: '2024-01-02', note: 'a "quoted", note' },
    { id: 2, price: null, active: 0, seen: null, note: null },
  ];
  const csv = 'id,price,active,seen,note\n1,2.5,true,2024-01-02,"a ""quoted"", note"\n2,,false,,\n';
  const tsv = 'id\tprice\tactive\tseen\tnote\n1\t2.5\ttrue\t2024-01-02\ta "quoted", note\n2\t\tfalse\t\t\n';
  const objs = [
    { id: 1, price: 2.5, active: true, seen: '2024-01-02', note: 'a "quoted", note' },
    { id: 2, price: null, active: false },
  ];
  const ndjson = objs.map((o) => JSON.stringify(o)).join('\n') + '\n';
  const json = JSON.stringify(objs);
  it.each([
    ['csv.gz', csv],
    ['tsv.gz', tsv],
    ['ndjson.gz', ndjson],
    ['json.gz', json],
  ])('%s', async (name, text) => {
    const r = await importRelease(lib, { dataset: ds(), release: rel(), source: src(gzipSync(Buffer.from(text))), fileName: `data.${name}` });
    expect(r.rows).toBe(2);
    expect(lib.db.prepare('SELECT * FROM typed ORDER BY rowid').all()).toEqual(want);
  });
});
