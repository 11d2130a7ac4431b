import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FormatError, readRecords, rowOf, type Cell, type ReadOptions } from './index.js';

/** Feeds `text` in pieces of `size` bytes so every carry path between chunks runs. */
function chunked(text: string | Uint8Array, size: number): Readable {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text);
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

async function read(text: string | Uint8Array, opts: ReadOptions = { format: 'csv' }, size = 1 << 16) {
  const reader = readRecords(chunked(text, size), opts);
  const rows: Cell[][] = [];
  for await (const b of reader) for (let r = 0; r < b.rowCount; r++) rows.push(rowOf(b, r));
  return { columns: reader.columns, rows, reader };
}

async function failure(text: string, opts: ReadOptions = { format: 'csv' }, size = 1 << 16): Promise<FormatError> {
  try {
    await read(text, opts, size);
  } catch (e) {
    if (e instanceof FormatError) return e;
    throw e;
  }
  throw new Error('expected a FormatError');
}

const CHUNK_SIZES = [1, 2, 3, 7, 64, 1 << 16];

describe('CSV (RFC 4180)', () => {
  it.each(CHUNK_SIZES)('reads quoted fields, "" escapes, embedded delimiters and newlines (chunks of %i bytes)', async (size) => {
    const text = 'id,name,note\r\n1,"Smith, J","said ""hi""\r\nthen left"\r\n2,Ann,"multi\nline"\r\n3,"",\r\n';
    const { columns, rows } = await read(text, { format: 'csv' }, size);
    expect(columns).toEqual(['id', 'name', 'note']);
    expect(rows).toEqual([
      ['1', 'Smith, J', 'said "hi"\r\nthen left'],
      ['2', 'Ann', 'multi\nline'],
      ['3', '', null],
    ]);
  });

  it.each(CHUNK_SIZES)('handles LF, a UTF-8 BOM, no final newline and multi-byte characters split across chunks (%i)', async (size) => {
    const text = '\uFEFFcity,country\nZürich,CH\n東京,JP\nSão Paulo,BR';
    const { columns, rows, reader } = await read(text, { format: 'csv' }, size);
    expect(columns).toEqual(['city', 'country']);
    expect(rows).toEqual([
      ['Zürich', 'CH'],
      ['東京', 'JP'],
      ['São Paulo', 'BR'],
    ]);
    expect(reader.bytes).toBe(Buffer.byteLength(text));
    expect(reader.recordCount).toBe(3);
  });

  it.each([1, 2, 1 << 16])('ends on a quoted field or an empty field without a final newline (%i)', async (size) => {
    expect((await read('a,b\n1,"x"', { format: 'csv' }, size)).rows).toEqual([['1', 'x']]);
    expect((await read('a,b\n"1",', { format: 'csv' }, size)).rows).toEqual([['1', null]]);
    expect((await read('a,b\r\n"1","2"\r\n', { format: 'csv' }, size)).rows).toEqual([['1', '2']]);
  });

  it('skips blank lines, keeps whitespace and treats a stray quote inside a field literally', async () => {
    const { rows } = await read('a,b\n\n x ,5" pipe\r\n\r\n,\n');
    expect(rows).toEqual([
      [' x ', '5" pipe'],
      [null, null],
    ]);
  });

  it('reads a header-only file and an empty file', async () => {
    const header = await read('a,b,c\n');
    expect(header.columns).toEqual(['a', 'b', 'c']);
    expect(header.rows).toEqual([]);
    const empty = await read('');
    expect(empty.columns).toEqual([]);
    expect(empty.rows).toEqual([]);
  });

  it.each([1, 1 << 16])('reads a quoted header (%i)', async (size) => {
    const { columns, rows } = await read('"id","na,me"\r\n1,x\r\n', { format: 'csv' }, size);
    expect(columns).toEqual(['id', 'na,me']);
    expect(rows).toEqual([['1', 'x']]);
  });

  it('names empty header cells and refuses duplicate ones', async () => {
    expect((await read('a,,c\n1,2,3\n')).columns).toEqual(['a', 'column_2', 'c']);
    const e = await failure('a,b,a\n1,2,3\n');
    expect(e.code).toBe('FORMAT_DUPLICATE_COLUMN');
    expect(e.message).toBe('line 1: duplicate column name "a"');
  });

  it.each([1, 5, 1 << 16])('reports a short row with its physical line, counting newlines inside quotes (%i)', async (size) => {
    const e = await failure('a,b,c\n1,"two\nlines",3\n\n4,5,6\n7,8\n', { format: 'csv' }, size);
    expect(e.code).toBe('FORMAT_FIELD_COUNT');
    expect(e.message).toBe('line 6: expected 3 fields, found 2');
    expect(e.location.line).toBe(6);
  });

  it('reports a long row, quoted or not', async () => {
    expect((await failure('a,b\n1,2,3\n')).message).toBe('line 2: expected 2 fields, found 3');
    expect((await failure('a,b\n1,2\n"x",2,"z"\n')).message).toBe('line 3: expected 2 fields, found 3');
  });

  it.each([1, 4, 1 << 16])('reports an unterminated quote at the line where it opened (%i)', async (size) => {
    const e = await failure('a,b\n1,2\n3,"never\nclosed\n', { format: 'csv' }, size);
    expect(e.code).toBe('FORMAT_UNTERMINATED_QUOTE');
    expect(e.message).toBe('line 3: quoted field is never closed');
  });

  it('refuses text after a closing quote', async () => {
    const e = await failure('a,b\n"x"y,2\n');
    expect(e.code).toBe('FORMAT_BAD_QUOTE');
    expect(e.location.line).toBe(2);
  });

  it('refuses bytes that are not UTF-8', async () => {
    const latin1 = Buffer.concat([Buffer.from('name\n'), Buffer.from([0x5a, 0xfc, 0x72, 0x69, 0x63, 0x68, 0x0a])]);
    await expect(read(latin1)).rejects.toMatchObject({ code: 'FORMAT_ENCODING' });
  });

  it('splits rows into batches of batchSize, numbering their first records', async () => {
    const text = 'n\n' + Array.from({ length: 10 }, (_, i) => `${i}\n`).join('');
    const reader = readRecords(chunked(text, 4), { format: 'csv', batchSize: 3 });
    const seen: [number, number, Cell][] = [];
    for await (const b of reader) seen.push([b.firstRecord, b.rowCount, b.cells[0]!]);
    expect(seen).toEqual([
      [1, 3, '0'],
      [4, 3, '3'],
      [7, 3, '6'],
      [10, 1, '9'],
    ]);
  });
});

describe('TSV', () => {
  it.each([1, 3, 1 << 16])('reads tabs, quoted tabs and CRLF (%i)', async (size) => {
    const { columns, rows } = await read('a\tb\r\n1\t"x\ty"\r\n\t2\r\n', { format: 'tsv' }, size);
    expect(columns).toEqual(['a', 'b']);
    expect(rows).toEqual([
      ['1', 'x\ty'],
      [null, '2'],
    ]);
  });

  it('reports the line of a bad row', async () => {
    const e = await failure('a\tb\n1\t2\n3\n', { format: 'tsv' });
    expect(e.message).toBe('line 3: expected 2 fields, found 1');
  });
});
