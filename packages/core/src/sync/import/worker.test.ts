import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLibrary, type Library } from '../library/library.js';
import type { LibraryDataset, ReleaseInfo } from '../library/metadata.js';
import type { ColumnDef } from '../library/schema.js';
import { importRelease } from './import.js';
import { workerPath } from './parallel.js';
import { decodeValues, encodeValues, SEP } from './wire.js';

const COLUMNS: ColumnDef[] = [
  { name: 'id', type: 'integer', nullable: false },
  { name: 'price', type: 'real', nullable: true },
  { name: 'ok', type: 'boolean', nullable: true },
  { name: 'note', type: 'text', nullable: true },
];
const ds = (columns = COLUMNS): LibraryDataset => ({ id: 'd', slug: 'items', name: 'Items', producer: 'p', importMode: 'snapshot', keyColumns: [], columns });
const rel = (id: string): ReleaseInfo => ({ id, schemaVersion: 'v1', payloadSha256: '0'.repeat(64), plaintextSha256: '1'.repeat(64), producerKeyFingerprint: 'fp' });

function csv(n: number, bad?: number): string {
  let s = 'id,price,ok,note\n';
  for (let i = 1; i <= n; i++) s += `${i},${i === bad ? 'oops' : i % 7 ? (i / 8).toString() : ''},${i % 2 ? 'yes' : 'no'},${i % 5 ? `n${i}` : ''}\n`;
  return s;
}

let dir: string;
let lib: Library;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dme-worker-'));
  lib = openLibrary(join(dir, 'library.db'));
});
afterEach(() => {
  lib.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('wire encoding', () => {
  it('round-trips strings, nulls and integers as one string', () => {
    const values = ['a', null, 42, 2n ** 62n, '', 'é'];
    const w = encodeValues(values);
    expect('text' in w).toBe(true);
    expect(decodeValues(w)).toEqual(['a', null, '42', String(2n ** 62n), '', 'é']);
  });

  it('falls back to an array for reals and for text containing the separator', () => {
    expect(encodeValues(['x', 1.5])).toEqual({ values: ['x', 1.5] });
    expect(encodeValues([`a${SEP}b`])).toEqual({ values: [`a${SEP}b`] });
  });
});

describe('parsing in a worker thread', () => {
  it('stores exactly what the in-thread path stores', async () => {
    expect(workerPath()).toMatch(/dist\/sync\/import\/parse-worker\.js$/);
    const text = csv(5000);
    await importRelease(lib, { dataset: ds(), release: rel('r1'), source: Readable.from([Buffer.from(text)]), worker: false });
    const inThread = lib.db.prepare('SELECT id, price, ok, note, typeof(id) AS t1, typeof(price) AS t2, typeof(ok) AS t3 FROM items ORDER BY rowid').all();
    const r = await importRelease(lib, { dataset: ds(), release: rel('r2'), source: Readable.from([Buffer.from(text)]), worker: true });
    expect(r.rows).toBe(5000);
    expect(lib.db.prepare('SELECT id, price, ok, note, typeof(id) AS t1, typeof(price) AS t2, typeof(ok) AS t3 FROM items ORDER BY rowid').all()).toEqual(inThread);
  });

  it('rebuilds a conversion error with its code and location, and rolls back', async () => {
    const err = await importRelease(lib, { dataset: ds(), release: rel('r1'), source: Readable.from([Buffer.from(csv(3000, 2500))]), worker: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ImportError', code: 'IMPORT_CONVERSION', location: { line: 2501, record: 2500, column: 'price' } });
    expect(lib.hasRelease('r1')).toBe(false);
    expect(lib.db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name LIKE '%items%'").get()).toEqual({ n: 0 });
  });

  it('reports a failing source as IMPORT_SOURCE and reads undeclared schemas as TEXT', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(csv(100));
      throw new Error('decryption failed at chunk 3');
    }
    await expect(importRelease(lib, { dataset: ds(), release: rel('r1'), source: failing(), worker: true })).rejects.toMatchObject({ code: 'IMPORT_SOURCE', message: expect.stringContaining('decryption failed at chunk 3') });
    const r = await importRelease(lib, { dataset: ds([]), release: rel('r2'), source: Readable.from([Buffer.from(csv(10))]), worker: true });
    expect(r.rows).toBe(10);
    expect(lib.db.prepare("SELECT group_concat(type) AS t FROM pragma_table_info('items')").get()).toEqual({ t: 'TEXT,TEXT,TEXT,TEXT' });
  });

  it('parses in-thread when the process has flags a worker refuses (--perf-basic-prof), instead of failing', () => {
    const dist = workerPath()!.replace(/parse-worker\.js$/, '');
    const script = `
      import { openLibrary } from ${JSON.stringify(join(dist, '../library/index.js'))};
      import { importRelease } from ${JSON.stringify(join(dist, 'index.js'))};
      const lib = openLibrary(process.argv[1]);
      const dataset = { id: 'd', slug: 'items', name: 'Items', producer: 'p', importMode: 'snapshot', keyColumns: [], columns: [] };
      const release = { id: 'r1', schemaVersion: 'v1', payloadSha256: '0'.repeat(64), plaintextSha256: '1'.repeat(64), producerKeyFingerprint: 'fp' };
      const r = await importRelease(lib, { dataset, release, source: (async function* () { yield Buffer.from('a,b\\n1,x\\n2,y\\n'); })(), worker: true });
      console.log(JSON.stringify({ rows: r.rows, stored: lib.db.prepare('SELECT group_concat(a || b) AS s FROM items').get().s }));
      lib.close();`;
    const out = spawnSync(process.execPath, ['--perf-basic-prof', '--input-type=module', '-e', script, join(dir, 'child.db')], { encoding: 'utf8', cwd: dir });
    rmSync(`/tmp/perf-${out.pid}.map`, { force: true }); // what --perf-basic-prof writes
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toEqual({ rows: 2, stored: '1x,2y' });
  });
});
