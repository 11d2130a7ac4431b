import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLibrary, type Library } from '../library/library.js';
import type { LibraryDataset, ReleaseInfo } from '../library/metadata.js';
import { importRelease } from './import.js';

const COLUMNS = [
  { name: 'e164', type: 'phone_e164', nullable: false },
  { name: 'carrier', type: 'text', nullable: false },
  { name: 'rate', type: 'real', nullable: true },
] as const;
const HEADER = 'e164,carrier,rate\n';

function dataset(over: Partial<LibraryDataset> = {}): LibraryDataset {
  return { id: 'ds-phones', slug: 'phone-numbers', name: 'Phone numbers', producer: 'Acme Telecom', importMode: 'snapshot', keyColumns: [], columns: [...COLUMNS], ...over };
}

function release(id: string): ReleaseInfo {
  return { id, schemaVersion: 'v1', payloadSha256: 'a'.repeat(64), plaintextSha256: 'b'.repeat(64), producerKeyFingerprint: 'SHA256:fp' };
}

function rowsCsv(from: number, n: number, carrier = 'Verizon'): string {
  let s = '';
  for (let i = from; i < from + n; i++) s += `+1212555${String(i).padStart(4, '0')},${carrier},${(i / 100).toFixed(2)}\n`;
  return s;
}

const csv = (text: string): Readable => Readable.from([Buffer.from(text)]);

/** Yields `head`, then waits for `gate` before yielding `tail`; can fail instead. */
async function* gated(head: string, gate: Promise<void>, tail: string | Error): AsyncGenerator<Uint8Array> {
  yield Buffer.from(head);
  await gate;
  if (tail instanceof Error) throw tail;
  yield Buffer.from(tail);
}

let dir: string;
let lib: Library;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dme-import-'));
  lib = openLibrary(join(dir, 'library.db'));
});
afterEach(() => {
  lib.close();
  rmSync(dir, { recursive: true, force: true });
});

const all = (sql: string): unknown[] => lib.db.prepare(sql).all();
const count = (table: string): number => (lib.db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
const tables = (): string[] => (all("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name") as { name: string }[]).map((r) => r.name);

describe('snapshot datasets', () => {
  it('loads a release into a STRICT table named from the slug and records it', async () => {
    const r = await importRelease(lib, { dataset: dataset(), release: release('r1'), source: csv(HEADER + rowsCsv(0, 3)) });
    expect(r).toEqual({ rows: 3, skipped: false, table: 'phone_numbers' });
    expect(all('SELECT * FROM phone_numbers ORDER BY rowid')).toEqual([
      { e164: '+12125550000', carrier: 'Verizon', rate: 0 },
      { e164: '+12125550001', carrier: 'Verizon', rate: 0.01 },
      { e164: '+12125550002', carrier: 'Verizon', rate: 0.02 },
    ]);
    expect(all("SELECT strict FROM pragma_table_list WHERE name = 'phone_numbers'")).toEqual([{ strict: 1 }]);
    expect(lib.releases('ds-phones')).toEqual([expect.objectContaining({ id: 'r1', datasetId: 'ds-phones', rows: 3, schemaVersion: 'v1', producerKeyFingerprint: 'SHA256:fp' })]);
    expect(lib.dataset('ds-phones')).toEqual(expect.objectContaining({ tableName: 'phone_numbers', lastReleaseId: 'r1', importMode: 'snapshot', producer: 'Acme Telecom' }));
  });

  it('replaces the table with the next release; readers see the old rows until it commits', async () => {
    await importRelease(lib, { dataset: dataset(), release: release('r1'), source: csv(HEADER + rowsCsv(0, 3)) });
    lib.db.exec('CREATE VIEW verizon AS SELECT e164 FROM phone_numbers WHERE carrier = \'Verizon\'');
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let sawRows = 0;
    const reader = lib.openReader();
    const seenDuring: unknown[] = [];
    const done = importRelease(lib, {
      dataset: dataset(),
      release: release('r2'),
      source: gated(HEADER + rowsCsv(100, 250, 'AT&T'), gate, rowsCsv(350, 250, 'AT&T')),
      batchSize: 50,
      onProgress: (p) => {
        if (sawRows === 0 && p.rows > 0) {
          sawRows = p.rows;
          seenDuring.push(reader.prepare('SELECT count(*) AS n, min(carrier) AS c FROM phone_numbers').get());
          seenDuring.push(reader.prepare('SELECT count(*) AS n FROM dme_releases').get());
          open();
        }
      },
    });
    const r = await done;
    expect(sawRows).toBeGreaterThan(0);
    expect(seenDuring).toEqual([{ n: 3, c: 'Verizon' }, { n: 1 }]);
    expect(r.rows).toBe(500);
    expect(reader.prepare('SELECT count(*) AS n, min(carrier) AS c FROM phone_numbers').get()).toEqual({ n: 500, c: 'AT&T' });
    reader.close();
    expect(tables()).toEqual(['dme_datasets', 'dme_releases', 'phone_numbers']);
    expect(all('SELECT count(*) AS n FROM verizon')).toEqual([{ n: 0 }]);
    expect(lib.releases('ds-phones').map((x) => x.id)).toEqual(['r2', 'r1']);
  });
});

describe('incremental datasets', () => {
  it('upserts on the key columns (PRIMARY KEY) and keeps other rows', async () => {
    const ds = dataset({ importMode: 'incremental', keyColumns: ['e164'] });
    await importRelease(lib, { dataset: ds, release: release('r1'), source: csv(HEADER + rowsCsv(0, 3)) });
    const r = await importRelease(lib, { dataset: ds, release: release('r2'), source: csv(HEADER + rowsCsv(2, 2, 'T-Mobile')) });
    expect(r.rows).toBe(2);
    expect(all('SELECT e164, carrier FROM phone_numbers ORDER BY e164')).toEqual([
      { e164: '+12125550000', carrier: 'Verizon' },
      { e164: '+12125550001', carrier: 'Verizon' },
      { e164: '+12125550002', carrier: 'T-Mobile' },
      { e164: '+12125550003', carrier: 'T-Mobile' },
    ]);
    expect(all("SELECT name FROM pragma_table_info('phone_numbers') WHERE pk = 1")).toEqual([{ name: 'e164' }]);
  });

  it('upserts a keyed release in key order: the last row of a key wins, also across statements and releases', async () => {
    const ds = dataset({ importMode: 'incremental', keyColumns: ['e164'] });
    // Keys descending, each key twice 300 rows apart (never in the same multi-row statement).
    const lines: string[] = [];
    for (let pass = 0; pass < 2; pass++) for (let i = 299; i >= 0; i--) lines.push(`+1212555${String(i).padStart(4, '0')},pass${pass},${i}`);
    const r = await importRelease(lib, { dataset: ds, release: release('r1'), source: csv(HEADER + lines.join('\n') + '\n') });
    expect(r.rows).toBe(600);
    expect(count('phone_numbers')).toBe(300);
    expect(all("SELECT DISTINCT carrier FROM phone_numbers")).toEqual([{ carrier: 'pass1' }]);
    await importRelease(lib, { dataset: ds, release: release('r2'), source: csv(HEADER + '+12125550007,later,1\n+12125550007,latest,2\n+12125559999,new,3\n') });
    expect(all("SELECT e164, carrier, rate FROM phone_numbers WHERE carrier <> 'pass1' ORDER BY e164")).toEqual([
      { e164: '+12125550007', carrier: 'latest', rate: 2 },
      { e164: '+12125559999', carrier: 'new', rate: 3 },
    ]);
    expect(count('phone_numbers')).toBe(301);
    // The TEMP staging table is gone with the import.
    expect(lib.db.prepare("SELECT count(*) AS n FROM sqlite_temp_schema").get()).toEqual({ n: 0 });
  });

  it('refuses a keyed release with an empty key on its line, leaving the table as it was', async () => {
    const ds = dataset({ importMode: 'incremental', keyColumns: ['carrier'] });
    await importRelease(lib, { dataset: ds, release: release('r1'), source: csv(HEADER + rowsCsv(0, 2)) });
    const bad = dataset({ importMode: 'incremental', keyColumns: ['carrier'], columns: [COLUMNS[0], { name: 'carrier', type: 'text', nullable: true }, COLUMNS[2]] });
    const err = await importRelease(lib, { dataset: bad, release: release('r2'), source: csv(HEADER + '+12125550005,AT&T,1\n+12125550006,,2\n') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'IMPORT_NULL', message: expect.stringMatching(/^line 3 .*column carrier/) });
    // Both rows of r1 have the key Verizon: the later one stayed.
    expect(all('SELECT e164, carrier FROM phone_numbers ORDER BY e164')).toEqual([{ e164: '+12125550001', carrier: 'Verizon' }]);
    expect(lib.hasRelease('r2')).toBe(false);
    expect(lib.db.prepare("SELECT count(*) AS n FROM sqlite_temp_schema").get()).toEqual({ n: 0 });
    // Columns from the header alone: SQLite refuses the row, and the message names the dataset's table, not its staging table.
    const untyped = dataset({ id: 'ds-untyped', slug: 'untyped', importMode: 'incremental', keyColumns: ['carrier'], columns: [] });
    const refused = await importRelease(lib, { dataset: untyped, release: release('r3'), source: csv(HEADER + '+12125550006,,2\n') }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'IMPORT_DATABASE', message: expect.stringContaining('NOT NULL constraint failed: untyped.carrier') });
  });

  it('upserts a dataset whose columns hide every rowid alias', async () => {
    const cols = [
      { name: 'rowid', type: 'text', nullable: false },
      { name: '_rowid_', type: 'text', nullable: false },
      { name: 'oid', type: 'integer', nullable: true },
    ] as const;
    const ds = dataset({ importMode: 'incremental', keyColumns: ['rowid'], columns: [...cols] });
    await importRelease(lib, { dataset: ds, release: release('r1'), source: csv('rowid,_rowid_,oid\nb,x,1\na,y,2\nb,z,3\n') });
    expect(all('SELECT * FROM phone_numbers ORDER BY 1')).toEqual([
      { rowid: 'a', _rowid_: 'y', oid: 2 },
      { rowid: 'b', _rowid_: 'z', oid: 3 },
    ]);
  });

  it('appends when the dataset declares no key', async () => {
    const ds = dataset({ importMode: 'incremental', keyColumns: [] });
    await importRelease(lib, { dataset: ds, release: release('r1'), source: csv(HEADER + rowsCsv(0, 3)) });
    await importRelease(lib, { dataset: ds, release: release('r2'), source: csv(HEADER + rowsCsv(0, 3)) });
    expect(count('phone_numbers')).toBe(6);
  });

  it('adds a new nullable column and refuses a changed column type', async () => {
    const ds = dataset({ importMode: 'incremental', keyColumns: ['e164'] });
    await importRelease(lib, { dataset: ds, release: release('r1'), source: csv(HEADER + rowsCsv(0, 2)) });
    const wider = dataset({ importMode: 'incremental', keyColumns: ['e164'], columns: [...COLUMNS, { name: 'state', type: 'text', nullable: true }] });
    await importRelease(lib, { dataset: wider, release: release('r2'), source: csv('e164,carrier,rate,state\n+12125550009,AT&T,1.5,NY\n') });
    expect(all('SELECT e164, state FROM phone_numbers ORDER BY e164')).toEqual([
      { e164: '+12125550000', state: null },
      { e164: '+12125550001', state: null },
      { e164: '+12125550009', state: 'NY' },
    ]);
    const changed = dataset({ importMode: 'incremental', keyColumns: ['e164'], columns: [COLUMNS[0], COLUMNS[1], { name: 'rate', type: 'text', nullable: true }] });
    await expect(importRelease(lib, { dataset: changed, release: release('r3'), source: csv(HEADER) })).rejects.toMatchObject({ code: 'IMPORT_SCHEMA_CHANGED' });
    expect(lib.hasRelease('r3')).toBe(false);
  });
});

describe('exactly once', () => {
  it('skips a release already imported without reading its source', async () => {
    await importRelease(lib, { dataset: dataset({ importMode: 'incremental', keyColumns: [] }), release: release('r1'), source: csv(HEADER + rowsCsv(0, 3)) });
    let read = false;
    async function* untouched(): AsyncGenerator<Uint8Array> {
      read = true;
      yield Buffer.from(HEADER);
    }
    const again = await importRelease(lib, { dataset: dataset({ importMode: 'incremental', keyColumns: [] }), release: release('r1'), source: untouched() });
    expect(again).toEqual({ rows: 3, skipped: true, table: 'phone_numbers' });
    expect(read).toBe(false);
    expect(count('phone_numbers')).toBe(3);
    expect(all('SELECT count(*) AS n FROM dme_releases')).toEqual([{ n: 1 }]);
  });

  it('refuses a release id already recorded for another dataset', async () => {
    await importRelease(lib, { dataset: dataset(), release: release('r1'), source: csv(HEADER + rowsCsv(0, 1)) });
    await expect(importRelease(lib, { dataset: dataset({ id: 'other', slug: 'other' }), release: release('r1'), source: csv(HEADER) })).rejects.toMatchObject({ code: 'IMPORT_RELEASE_CONFLICT' });
  });

  it('runs concurrent imports of one library one after the other', async () => {
    const ds = dataset({ importMode: 'incremental', keyColumns: [] });
    const results = await Promise.all([1, 2, 3].map((i) => importRelease(lib, { dataset: ds, release: release(`r${i}`), source: csv(HEADER + rowsCsv(i * 10, i)) })));
    expect(results.map((r) => r.rows)).toEqual([1, 2, 3]);
    expect(count('phone_numbers')).toBe(6);
  });
});

describe('beforeCommit', () => {
  it('runs once, after the last row was read and before anything is committed', async () => {
    let sourceDone = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(HEADER + rowsCsv(0, 300));
      yield Buffer.from(rowsCsv(300, 5));
      sourceDone = true;
    }
    const calls: Array<{ sourceDone: boolean; committed: boolean }> = [];
    const reader = lib.openReader();
    try {
      const r = await importRelease(lib, {
        dataset: dataset(),
        release: release('r1'),
        source: source(),
        batchSize: 64,
        beforeCommit: async () => {
          calls.push({ sourceDone, committed: reader.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'phone_numbers'").pluck().get() === 1 });
        },
      });
      expect(r.rows).toBe(305);
    } finally {
      reader.close();
    }
    expect(calls).toEqual([{ sourceDone: true, committed: false }]);
    expect(count('phone_numbers')).toBe(305);
  });

  it('fails the import when it rejects, leaving nothing behind', async () => {
    const err = await importRelease(lib, { dataset: dataset(), release: release('r1'), source: csv(HEADER + rowsCsv(0, 3)), beforeCommit: () => Promise.reject(new Error('disk gone')) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'IMPORT_SOURCE', message: expect.stringContaining('disk gone') });
    expect(tables()).toEqual(['dme_datasets', 'dme_releases']);
    expect(lib.hasRelease('r1')).toBe(false);
  });
});

describe('failures leave data and history unchanged', () => {
  for (const mode of ['snapshot', 'incremental'] as const) {
    it(`${mode}: a source that errors after some rows`, async () => {
      const ds = dataset({ importMode: mode, keyColumns: mode === 'incremental' ? ['e164'] : [] });
      await importRelease(lib, { dataset: ds, release: release('r1'), source: csv(HEADER + rowsCsv(0, 3)) });
      const before = all('SELECT * FROM phone_numbers ORDER BY e164');
      const err = await importRelease(lib, { dataset: ds, release: release('r2'), source: gated(HEADER + rowsCsv(3, 400, 'X'), Promise.resolve(), new Error('payload chunk 7 failed authentication')), batchSize: 64 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'IMPORT_SOURCE', message: expect.stringContaining('payload chunk 7 failed authentication') });
      expect(all('SELECT * FROM phone_numbers ORDER BY e164')).toEqual(before);
      expect(lib.releases('ds-phones').map((r) => r.id)).toEqual(['r1']);
      expect(lib.dataset('ds-phones')?.lastReleaseId).toBe('r1');
      expect(tables()).toEqual(['dme_datasets', 'dme_releases', 'phone_numbers']);
      const retry = await importRelease(lib, { dataset: ds, release: release('r2'), source: csv(HEADER + rowsCsv(3, 400, 'X')) });
      expect(retry.rows).toBe(400);
    });
  }

  it('a row count different from the manifest', async () => {
    await expect(importRelease(lib, { dataset: dataset(), release: release('r1'), source: csv(HEADER + rowsCsv(0, 3)), expectedRows: 4 })).rejects.toMatchObject({ code: 'IMPORT_ROW_COUNT' });
    expect(tables()).toEqual(['dme_datasets', 'dme_releases']);
    expect(lib.hasRelease('r1')).toBe(false);
  });

  it('an abort signal mid-import, even while the source stalls', async () => {
    await importRelease(lib, { dataset: dataset(), release: release('r1'), source: csv(HEADER + rowsCsv(0, 3)) });
    const ac = new AbortController();
    const never = new Promise<void>(() => undefined);
    const err = await importRelease(lib, {
      dataset: dataset(),
      release: release('r2'),
      source: gated(HEADER + rowsCsv(3, 300), never, rowsCsv(303, 10)),
      batchSize: 50,
      signal: ac.signal,
      onProgress: (p) => {
        if (p.rows >= 100) ac.abort(new Error('user cancelled'));
      },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'IMPORT_ABORTED', message: expect.stringContaining('user cancelled') });
    expect(count('phone_numbers')).toBe(3);
    expect(lib.releases('ds-phones').map((r) => r.id)).toEqual(['r1']);
    const later = await importRelease(lib, { dataset: dataset(), release: release('r2'), source: csv(HEADER + rowsCsv(3, 5)) });
    expect(later.rows).toBe(5);
  });

  it('an already aborted signal reads nothing', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(importRelease(lib, { dataset: dataset(), release: release('r1'), source: csv(HEADER), signal: ac.signal })).rejects.toMatchObject({ code: 'IMPORT_ABORTED' });
    expect(tables()).toEqual(['dme_datasets', 'dme_releases']);
  });
});

describe('memory', () => {
  it('stays flat across a long import given an AbortSignal (batches are not kept for the abort race)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const ROWS = 300_000;
    async function* lazyRows(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(HEADER);
      for (let i = 0; i < ROWS; i += 1000) yield Buffer.from(rowsCsv(i, 1000, `Carrier ${i % 7}`));
    }
    const heap: number[] = [];
    let next = 30_000;
    const r = await importRelease(lib, {
      dataset: dataset({ columns: [] }),
      release: release('r1'),
      source: lazyRows(),
      signal: new AbortController().signal,
      onProgress: ({ rows }) => {
        if (rows < next) return;
        next += 90_000;
        gc();
        heap.push(process.memoryUsage().heapUsed);
      },
    });
    expect(r.rows).toBe(ROWS);
    expect(heap.length).toBeGreaterThanOrEqual(3);
    // Retaining every batch grows the heap by ~40 MB here; a flat import by well under 1 MB.
    expect((heap.at(-1)! - heap[0]!) / 1e6).toBeLessThan(8);
  });
});
