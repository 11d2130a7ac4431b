import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { constants, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectFormat, formatFromName, readRecords, rowOf, type Cell, type FileFormat } from './index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dme-formats-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readFile(path: string, opts: { format?: FileFormat } = {}) {
  const reader = readRecords(createReadStream(path, { highWaterMark: 64 }), { fileName: path, ...opts });
  const rows: Cell[][] = [];
  for await (const b of reader) for (let r = 0; r < b.rowCount; r++) rows.push(rowOf(b, r));
  return { reader, rows };
}

const SAMPLES: [string, string, Cell[][]][] = [
  ['csv', 'id,v\n1,"a,b"\n2,\n', [['1', 'a,b'], ['2', null]]],
  ['tsv', 'id\tv\n1\ta,b\n2\t\n', [['1', 'a,b'], ['2', null]]],
  ['ndjson', '{"id":1,"v":"a,b"}\n{"id":2,"v":null}\n', [[1, 'a,b'], [2, null]]],
  ['json', '[{"id":1,"v":"a,b"},{"id":2,"v":null}]', [[1, 'a,b'], [2, null]]],
];

describe('readRecords on real files', () => {
  it.each(SAMPLES)('reads %s plain and gzip-compressed, detecting both from name and bytes', async (format, text, rows) => {
    const plain = join(dir, `sample.${format}`);
    const gz = join(dir, `sample.${format}.gz`);
    const anon = join(dir, `sample-${format}.bin`);
    await writeFile(plain, text);
    await writeFile(gz, gzipSync(text, { level: constants.Z_BEST_SPEED }));
    await writeFile(anon, gzipSync(text));
    for (const path of [plain, gz, anon]) {
      const r = await readFile(path);
      expect(r.rows).toEqual(rows);
      expect(r.reader.format).toBe(format);
      expect(r.reader.compressed).toBe(path !== plain);
      expect(r.reader.bytes).toBe(Buffer.byteLength(text));
      expect(r.reader.columns).toEqual(['id', 'v']);
    }
  });

  it('reads a multi-member gzip file written as a stream', async () => {
    const path = join(dir, 'multi.csv.gz');
    const out = createWriteStream(path);
    out.write(gzipSync('n\n1\n2\n'));
    out.end(gzipSync('3\n4\n'));
    await once(out, 'close');
    expect((await readFile(path)).rows).toEqual([['1'], ['2'], ['3'], ['4']]);
  });

  it('reports a truncated gzip file as FORMAT_GZIP', async () => {
    const path = join(dir, 'cut.csv.gz');
    const full = gzipSync('n\n' + '12345\n'.repeat(5000));
    await writeFile(path, full.subarray(0, full.length - 40));
    await expect(readFile(path)).rejects.toMatchObject({ name: 'FormatError', code: 'FORMAT_GZIP' });
  });

  it('passes I/O errors through unchanged', async () => {
    await expect(readFile(join(dir, 'missing.csv'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('accepts any AsyncIterable of bytes, not only streams', async () => {
    async function* gen() {
      yield new TextEncoder().encode('a,b\n1,');
      yield new TextEncoder().encode('2\n');
    }
    const rows: Cell[][] = [];
    for await (const b of readRecords(gen())) for (let r = 0; r < b.rowCount; r++) rows.push(rowOf(b, r));
    expect(rows).toEqual([['1', '2']]);
  });

  it('closes the source when the consumer stops early', async () => {
    const src = Readable.from((function* () {
      yield Buffer.from('n\n');
      for (let i = 0; i < 1000; i++) yield Buffer.from(`${i}\n`.repeat(100));
    })());
    for await (const b of readRecords(src, { format: 'csv', batchSize: 10 })) {
      expect(b.rowCount).toBe(10);
      break;
    }
    await new Promise((r) => setImmediate(r));
    expect(src.destroyed).toBe(true);
  });
});

describe('format detection', () => {
  it('takes specific extensions from the name, ignoring .gz', () => {
    expect(formatFromName('a.CSV')).toBe('csv');
    expect(formatFromName('dir/a.tsv.gz')).toBe('tsv');
    expect(formatFromName('a.jsonl')).toBe('ndjson');
    expect(formatFromName('a.json')).toBeUndefined();
    expect(formatFromName('README')).toBeUndefined();
  });

  it('sniffs content when the name does not settle it', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(detectFormat(enc('  [{"a":1}]'), 'x.json')).toBe('json');
    expect(detectFormat(enc('{"a":1}\n{"a":2}'), 'x.json')).toBe('ndjson');
    expect(detectFormat(enc('\uFEFFa\tb,c\td\n'))).toBe('tsv');
    expect(detectFormat(enc('a,b,c\n'))).toBe('csv');
    expect(detectFormat(enc('[1]'), 'x.csv')).toBe('csv');
  });
});
