import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLibrary, type Library } from '../library/library.js';
import type { LibraryDataset, ReleaseInfo } from '../library/metadata.js';
import type { ColumnDef } from '../library/schema.js';
import { importRelease, type ImportRequest } from './import.js';
import { planScratch, scratchWorkerPath, type ExpectedSize } from './scratch-plan.js';
import { headerEnd, lastRecordEnd } from './split.js';

const COLUMNS: ColumnDef[] = [
  { name: 'id', type: 'integer', nullable: false },
  { name: 'price', type: 'real', nullable: true },
  { name: 'ok', type: 'boolean', nullable: true },
  { name: 'note', type: 'text', nullable: true },
];
const ds = (): LibraryDataset => ({ id: 'd', slug: 'items', name: 'Items', producer: 'p', importMode: 'snapshot', keyColumns: [], columns: COLUMNS });
const rel = (id: string): ReleaseInfo => ({ id, schemaVersion: 'v1', payloadSha256: '0'.repeat(64), plaintextSha256: '1'.repeat(64), producerKeyFingerprint: 'fp' });
/** Tiny blocks and rounds: a small file crosses many blocks and every round the scratch load has. */
const FORCE = { minRows: 0, blockBytes: 300, roundBytes: 2000 };

/** Quoted commas, quotes and line breaks, blank lines, CRLF, nulls: every shape a block boundary can cut. */
function csv(n: number, bad?: { row: number; cell: string }): string {
  let s = '\ufeff\nid,price,ok,note\r\n';
  for (let i = 1; i <= n; i++) {
    const note = i % 11 === 0 ? `"line one\nline ""two"", ${i}"` : i % 5 ? `n${i}` : '';
    s += `${i},${bad?.row === i ? bad.cell : i % 7 ? (i / 8).toString() : ''},${i % 2 ? 'yes' : 'no'},${note}${i % 3 ? '\n' : '\r\n'}`;
    if (i % 13 === 0) s += '\n';
  }
  return s;
}

let dir: string;
let lib: Library;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dme-scratch-'));
  lib = openLibrary(join(dir, 'library.db'));
});
afterEach(() => {
  lib.close();
  rmSync(dir, { recursive: true, force: true });
});

const rowsOf = (l: Library): unknown[] => l.db.prepare('SELECT rowid, id, price, ok, note, typeof(id) AS t1, typeof(price) AS t2 FROM items ORDER BY rowid').all();
const run = (l: Library, id: string, text: string, extra: Partial<ImportRequest> = {}): Promise<unknown> =>
  importRelease(l, { dataset: ds(), release: rel(id), source: Readable.from([Buffer.from(text)]), expectedRows: 400, ...extra }).catch((e: unknown) => e);
const leftovers = (): string[] => readdirSync(dir).filter((f) => f.startsWith('.dme-import-'));

describe('parallel snapshot load through scratch databases', () => {
  it('stores the same rows, in the same order, as the serial path', async () => {
    expect(scratchWorkerPath()).toMatch(/dist\/sync\/import\/scratch-worker\.js$/);
    const text = csv(400);
    const other = openLibrary(join(dir, 'serial.db'));
    try {
      expect(await run(other, 'r1', text, { scratch: false })).toMatchObject({ rows: 400 });
      expect(await run(lib, 'r1', text, { scratch: FORCE })).toMatchObject({ rows: 400 });
      expect(rowsOf(lib)).toEqual(rowsOf(other));
    } finally {
      other.close();
    }
    expect(leftovers()).toEqual([]);
  });

  it("empties each round's scratch files once they are copied, and still commits every row", async () => {
    const text = csv(400);
    const seen: Array<Array<{ round: number; size: number }>> = [];
    // Called after each block's copy; rounds are copied one after the other.
    const onProgress = (): void => {
      const [scratch] = leftovers();
      if (!scratch) return;
      seen.push(readdirSync(join(dir, scratch)).map((f) => ({ round: Number(/^r(\d+)-/.exec(f)?.[1]), size: statSync(join(dir, scratch, f)).size })));
    };
    expect(await run(lib, 'r1', text, { scratch: FORCE, onProgress })).toMatchObject({ rows: 400 });
    expect(lib.db.prepare('SELECT count(*) AS n FROM items').get()).toEqual({ n: 400 });
    const last = seen.at(-1)!;
    const lastRound = Math.max(...last.map((f) => f.round));
    expect(lastRound).toBeGreaterThanOrEqual(2);
    // While the last round is copied, every earlier round was copied whole: their files are empty.
    expect(last.filter((f) => f.round < lastRound).every((f) => f.size === 0)).toBe(true);
    expect(last.filter((f) => f.round === lastRound).every((f) => f.size > 0)).toBe(true);
    // Round 0's files had their tables while round 0 was being copied.
    expect(seen[0]!.filter((f) => f.round === 0).every((f) => f.size > 0)).toBe(true);
  });

  it('commits the dataset and release rows with the table (writer thread), and lets go of the write lock', async () => {
    const text = csv(400);
    expect(await run(lib, 'r1', text, { scratch: FORCE, now: () => new Date('2026-01-02T03:04:05Z') })).toMatchObject({ rows: 400 });
    expect(lib.releases('d')).toMatchObject([{ id: 'r1', datasetId: 'd', rows: 400, importedAt: '2026-01-02T03:04:05.000Z' }]);
    expect(lib.dataset('d')).toMatchObject({ tableName: 'items', lastReleaseId: 'r1' });
    expect(lib.db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name LIKE 'dme_staging%'").get()).toEqual({ n: 0 });
    // The writer thread closed its connection: this one can write at once.
    lib.db.exec('BEGIN IMMEDIATE; ROLLBACK');
  });

  it('runs beforeCommit once every block was copied, before the writer thread commits', async () => {
    let copied = 0;
    const calls: Array<{ copied: number; committed: boolean }> = [];
    const beforeCommit = async (): Promise<void> => void calls.push({ copied, committed: lib.hasRelease('r1') });
    expect(await run(lib, 'r1', csv(400), { scratch: FORCE, onProgress: ({ rows }) => (copied = rows), beforeCommit })).toMatchObject({ rows: 400 });
    expect(calls).toEqual([{ copied: 400, committed: false }]);
    expect(lib.hasRelease('r1')).toBe(true);
  });

  it('a bad cell fails with the serial path’s error (same line) and leaves the previous release', async () => {
    await run(lib, 'r1', csv(20), { expectedRows: 20 });
    const text = csv(400, { row: 333, cell: 'oops' });
    const serial = await run(lib, 'r2', text, { scratch: false });
    const parallel = await run(lib, 'r2', text, { scratch: FORCE });
    expect(serial).toMatchObject({ code: 'IMPORT_CONVERSION', location: { record: 333, column: 'price' } });
    expect(parallel).toMatchObject({ code: (serial as { code: string }).code, message: (serial as Error).message, location: (serial as { location: unknown }).location });
    expect(lib.db.prepare('SELECT count(*) AS n FROM items').get()).toEqual({ n: 20 });
    expect(lib.releases('d').map((r) => r.id)).toEqual(['r1']);
    expect(leftovers()).toEqual([]);
  });

  it('a malformed record names the file’s line, after quoted line breaks and blank lines', async () => {
    const text = csv(400, { row: 350, cell: '1,2' });
    const serial = (await run(lib, 'r1', text, { scratch: false })) as Error & { code: string };
    const parallel = (await run(lib, 'r1', text, { scratch: FORCE })) as Error & { code: string };
    expect(serial.code).toBe('IMPORT_FORMAT');
    expect(parallel.code).toBe('IMPORT_FORMAT');
    expect(parallel.message).toBe(serial.message);
    expect(parallel.message).toMatch(/line \d+: expected 4 fields, found 5/);
    expect(lib.datasets()).toEqual([]);
  });

  it('reports progress in file bytes and names where an encoding error is in the file', async () => {
    const text = csv(400);
    const seen: number[] = [];
    expect(await run(lib, 'r1', text, { scratch: FORCE, onProgress: (p) => seen.push(p.bytes) })).toMatchObject({ rows: 400 });
    expect(seen.length).toBeGreaterThan(10);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(Buffer.byteLength(text));

    // The serial reader names the start of the 64 KiB slice that failed (byte 0 here); a block names its own start.
    const bytes = Buffer.from(text);
    const bad = bytes.length - 700;
    bytes[bad] = 0xff;
    const err = await importRelease(lib, { dataset: ds(), release: rel('r2'), source: Readable.from([bytes]), expectedRows: 400, scratch: FORCE }).then(
      () => new Error('imported'),
      (e: unknown) => e as Error,
    );
    expect(err.message).toMatch(/not valid UTF-8 \(after byte \d+\)/);
    const after = Number(/after byte (\d+)/.exec(err.message)![1]);
    expect(after).toBeLessThanOrEqual(bad);
    expect(after).toBeGreaterThan(bad - 2 * FORCE.blockBytes);
  });

  it('text-only tables (byte-level blocks, and the reader where a block needs it) store what the serial path does', async () => {
    const text: ColumnDef[] = [
      { name: 'e164', type: 'phone_e164', nullable: false },
      { name: 'city', type: 'text', nullable: true },
      { name: 'at', type: 'datetime', nullable: true },
    ];
    const tds = (): LibraryDataset => ({ ...ds(), columns: text });
    let body = '\ufeffat,e164,city\r\n';
    for (let i = 1; i <= 400; i++) {
      const city = i % 97 === 0 ? `"Quoted, ${i}"` : i % 4 === 0 ? '' : i % 9 === 0 ? 'São Paulo 電話' : `c${i}`;
      body += `${i % 6 ? `2025-01-${(i % 28) + 1}` : ''},+1${i},${city}${i % 3 ? '\n' : '\r\n'}`;
      if (i % 13 === 0) body += '\n';
    }
    const load = (l: Library, id: string, csvText: string, scratch: ImportRequest['scratch']) =>
      importRelease(l, { dataset: tds(), release: rel(id), source: Readable.from([Buffer.from(csvText)]), expectedRows: 400, scratch }).catch((e: unknown) => e);
    const all = (l: Library): unknown[] => l.db.prepare('SELECT rowid, e164, city, at, typeof(city) AS t FROM items ORDER BY rowid').all();
    const other = openLibrary(join(dir, 'serial.db'));
    try {
      expect(await load(other, 'r1', body, false)).toMatchObject({ rows: 400 });
      expect(await load(lib, 'r1', body, FORCE)).toMatchObject({ rows: 400 });
      expect(all(lib)).toEqual(all(other));
      const missing = body.replace(',+1350,', ',,'); // a required cell empty in a block of the byte-level path
      const serial = (await load(other, 'r2', missing, false)) as Error;
      expect(serial).toMatchObject({ code: 'IMPORT_NULL', location: { column: 'e164' } });
      expect(await load(lib, 'r2', missing, FORCE)).toMatchObject({ code: 'IMPORT_NULL', message: serial.message });
    } finally {
      other.close();
    }
  });

  it('takes the parallel path from a declared plaintext size alone (a release published without a profile)', async () => {
    const plan = (expected: ExpectedSize) => planScratch(Readable.from([Buffer.from(csv(50))]), { format: 'csv' }, expected).then((p) => p.kind);
    expect(await plan({})).toBe('serial');
    expect(await plan({ bytes: 100_000 })).toBe('serial');
    expect(await plan({ rows: 50, bytes: 100_000 })).toBe('serial');
    expect(await plan({ bytes: 8 << 20 })).toBe('scratch');
    expect(await plan({ rows: 100_000 })).toBe('scratch');

    const text = csv(400);
    const other = openLibrary(join(dir, 'serial.db'));
    try {
      expect(await run(other, 'r1', text, { scratch: false })).toMatchObject({ rows: 400 });
      const source = Readable.from([Buffer.from(text)]);
      const sized = await importRelease(lib, { dataset: ds(), release: rel('r1'), source, plaintextSize: text.length, scratch: { ...FORCE, minRows: undefined, minBytes: 1000 } });
      expect(sized).toMatchObject({ rows: 400 });
      expect(rowsOf(lib)).toEqual(rowsOf(other));
    } finally {
      other.close();
    }
  });

  it('an abort mid-load rolls back and removes the scratch files', async () => {
    await run(lib, 'r1', csv(20), { expectedRows: 20 });
    const ac = new AbortController();
    const err = await run(lib, 'r2', csv(400), { scratch: FORCE, signal: ac.signal, onProgress: (p) => p.rows > 50 && ac.abort(new Error('stop')) });
    expect(err).toMatchObject({ code: 'IMPORT_ABORTED' });
    expect(lib.db.prepare('SELECT count(*) AS n FROM items').get()).toEqual({ n: 20 });
    expect(leftovers()).toEqual([]);
    expect(await run(lib, 'r2', csv(400), { scratch: FORCE })).toMatchObject({ rows: 400 });
  });
});

describe('record boundaries', () => {
  const b = (s: string): Uint8Array => Buffer.from(s);
  it('ends blocks only outside quoted fields', () => {
    expect(lastRecordEnd(b('a,b\nc,d\ne'), 0, 0x2c)).toBe(8);
    expect(lastRecordEnd(b('a,"b\nc"\nd,"e\nf'), 0, 0x2c)).toBe(8);
    expect(lastRecordEnd(b('a,"x""\ny"'), 0, 0x2c)).toBe(-1);
    // A quote inside an unquoted field is literal, so the line feed after it ends the record.
    expect(lastRecordEnd(b('5" tv,b\nc'), 0, 0x2c)).toBe(8);
  });
  it('finds the header after a BOM and blank lines', () => {
    expect(headerEnd(b('\ufeff\n\r\nid,"a\nb"\n1,2\n'), 0x2c)).toBe(Buffer.byteLength('\ufeff\n\r\nid,"a\nb"\n'));
    expect(headerEnd(b('id,x'), 0x2c)).toBe(-1);
  });
});
