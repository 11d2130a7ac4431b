import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FormatError, readRecords, rowOf, type Cell, type ReadOptions, type RecordBatch } from './index.js';

function chunked(text: string, size: number): Readable {
  const bytes = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

async function read(text: string, opts: ReadOptions, size = 1 << 16) {
  const reader = readRecords(chunked(text, size), opts);
  const batches: RecordBatch[] = [];
  const rows: Record<string, Cell>[] = [];
  for await (const b of reader) {
    batches.push(b);
    for (let r = 0; r < b.rowCount; r++) {
      const row = rowOf(b, r);
      rows.push(Object.fromEntries(b.columns.map((c, i) => [c, row[i]!])));
    }
  }
  return { columns: reader.columns, rows, batches };
}

async function failure(text: string, opts: ReadOptions, size = 1 << 16): Promise<FormatError> {
  try {
    await read(text, opts, size);
  } catch (e) {
    if (e instanceof FormatError) return e;
    throw e;
  }
  throw new Error('expected a FormatError');
}

const SIZES = [1, 3, 10, 1 << 16];

describe('NDJSON', () => {
  it.each(SIZES)('collects keys in first-seen order, pads missing ones, keeps scalars, stringifies nesting (%i)', async (size) => {
    const text = '{"id":1,"name":"a"}\n\n{"name":"b","id":2.5,"ok":true}\r\n{"id":3,"tags":["x",{"y":null}],"name":null}\n';
    const { columns, rows, batches } = await read(text, { format: 'ndjson' }, size);
    expect(columns).toEqual(['id', 'name', 'ok', 'tags']);
    expect(rows).toEqual([
      { id: 1, name: 'a' },
      { id: 2.5, name: 'b', ok: true },
      { id: 3, name: null, ok: null, tags: '["x",{"y":null}]' },
    ]);
    // Every batch is rectangular; a new key starts a new batch, earlier batches keep their columns.
    for (const b of batches) expect(b.cells.length).toBe(b.rowCount * b.columns.length);
    expect(batches[0]!.columns).toEqual(['id', 'name']);
  });

  it('names the line of invalid JSON and of a non-object', async () => {
    const bad = await failure('{"a":1}\n{"a":2}\n\n{"a":\n', { format: 'ndjson' });
    expect(bad.code).toBe('FORMAT_INVALID_JSON');
    expect(bad.message).toMatch(/^line 4: invalid JSON/);
    const arr = await failure('{"a":1}\n[1,2]\n', { format: 'ndjson' });
    expect(arr.code).toBe('FORMAT_NOT_OBJECT');
    expect(arr.message).toBe('line 2: expected a JSON object, found array');
  });
});

describe('JSON array', () => {
  it.each(SIZES)('streams elements, including brackets, commas and escaped quotes inside strings (%i)', async (size) => {
    const text = ' [\n {"a": "x}],\\"[{", "b": [1, {"c": 2}]},\n {"a": "\\\\", "b": null} ,{"d":false}\n]\n';
    const { columns, rows } = await read(text, { format: 'json' }, size);
    expect(columns).toEqual(['a', 'b', 'd']);
    expect(rows).toEqual([
      { a: 'x}],"[{', b: '[1,{"c":2}]' },
      { a: '\\', b: null },
      { a: null, b: null, d: false },
    ]);
  });

  it('reads an empty array and empty input as no records', async () => {
    expect((await read('[ ]', { format: 'json' })).rows).toEqual([]);
    expect((await read('', { format: 'json' })).rows).toEqual([]);
  });

  it.each([1, 1 << 16])('names the record of invalid JSON, a non-object and a trailing comma (%i)', async (size) => {
    const bad = await failure('[{"a":1},{"a":tru},{"a":3}]', { format: 'json' }, size);
    expect(bad.code).toBe('FORMAT_INVALID_JSON');
    expect(bad.message).toMatch(/^record 2: invalid JSON/);
    expect(bad.location.record).toBe(2);
    const scalar = await failure('[{"a":1},{"a":2},"x"]', { format: 'json' }, size);
    expect(scalar.code).toBe('FORMAT_NOT_OBJECT');
    expect(scalar.message).toBe('record 3: expected a JSON object, found string');
    const trailing = await failure('[{"a":1},]', { format: 'json' }, size);
    expect(trailing.message).toMatch(/^record 2: invalid JSON/);
  });

  it('refuses a non-array, an unclosed array and content after the array', async () => {
    expect((await failure('{"a":1}', { format: 'json' })).code).toBe('FORMAT_NOT_ARRAY');
    const open = await failure('[{"a":1},{"a":2}', { format: 'json' });
    expect(open.message).toBe('record 2: unexpected end of input: the array is never closed');
    const after = await failure('[{"a":1}] x', { format: 'json' });
    expect(after.code).toBe('FORMAT_INVALID_JSON');
  });
});
