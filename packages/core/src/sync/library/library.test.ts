import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LibraryError } from './errors.js';
import { DEFAULT_PAGE_SIZE, openLibrary } from './library.js';
import { LATEST_VERSION } from './migrations/index.js';
import { quoteIdent, tableNameForSlug, uniqueTableName } from './naming.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dme-lib-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('openLibrary', () => {
  it('creates a WAL library at the latest schema that another program can read', () => {
    const path = join(dir, 'library.db');
    const lib = openLibrary(path);
    expect(lib.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(lib.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    lib.close();
    const other = new Database(path, { readonly: true });
    expect(other.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name IN ('dme_datasets', 'dme_releases')").get()).toEqual({ n: 2 });
    other.close();
    const again = openLibrary(path);
    expect(again.datasets()).toEqual([]);
    again.close();
  });

  it("puts SQLite's temporary files beside the library unless SQLITE_TMPDIR says where", () => {
    const quoted = join(dir, "it's here");
    mkdirSync(quoted);
    const lib = openLibrary(join(quoted, 'library.db'));
    expect(lib.db.pragma('temp_store_directory', { simple: true })).toBe(quoted);
    lib.close();
    const before = process.env.SQLITE_TMPDIR;
    process.env.SQLITE_TMPDIR = tmpdir();
    try {
      const other = openLibrary(join(dir, 'library.db'));
      expect(other.db.pragma('temp_store_directory', { simple: true })).toBe(quoted);
      other.close();
    } finally {
      if (before === undefined) delete process.env.SQLITE_TMPDIR;
      else process.env.SQLITE_TMPDIR = before;
    }
  });

  it('refuses a file that is not SQLite with LIBRARY_OPEN', () => {
    const path = join(dir, 'not-a-db');
    writeFileSync(path, 'this is a text file, not a database, and it is long enough to have a header. '.repeat(20));
    expect(() => openLibrary(path)).toThrow(expect.objectContaining({ code: 'LIBRARY_OPEN' }));
  });

  it('refuses a library from a newer DME with LIBRARY_TOO_NEW', () => {
    const path = join(dir, 'newer.db');
    const db = new Database(path);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    const err = (() => {
      try {
        openLibrary(path);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(LibraryError);
    expect((err as LibraryError).code).toBe('LIBRARY_TOO_NEW');
  });

  it('drops staging tables a killed import left behind, and nothing else', () => {
    const path = join(dir, 'library.db');
    openLibrary(path).close();
    const db = new Database(path);
    db.exec('CREATE TABLE dme_staging_phones (a TEXT) STRICT; INSERT INTO dme_staging_phones VALUES (1); CREATE TABLE phones (a TEXT) STRICT');
    db.close();
    const lib = openLibrary(path);
    const names = (lib.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(names).toEqual(['dme_datasets', 'dme_releases', 'phones']);
    lib.close();
  });

  it('makes new files with 64 KiB pages (or the size asked for) and leaves an existing file at its own size', () => {
    const fresh = openLibrary(join(dir, 'fresh.db'));
    expect(fresh.db.pragma('page_size', { simple: true })).toBe(DEFAULT_PAGE_SIZE);
    expect(DEFAULT_PAGE_SIZE).toBe(65536);
    fresh.close();
    const small = openLibrary(join(dir, 'small.db'), { pageSize: 8192 });
    expect(small.db.pragma('page_size', { simple: true })).toBe(8192);
    expect(small.db.pragma('journal_mode', { simple: true })).toBe('wal');
    small.close();
    const again = openLibrary(join(dir, 'small.db'), { pageSize: 65536 });
    expect(again.db.pragma('page_size', { simple: true })).toBe(8192);
    again.close();
    const old = new Database(join(dir, 'old.db'));
    // A library made before the default changed, at SQLite's own 4 KiB.
    old.pragma('page_size = 4096');
    old.exec('CREATE TABLE mine (a TEXT)');
    old.close();
    const opened = openLibrary(join(dir, 'old.db'));
    expect(opened.db.pragma('page_size', { simple: true })).toBe(4096);
    expect(opened.db.pragma('journal_mode', { simple: true })).toBe('wal');
    opened.close();
  });

  it.each([1000, 256, 131072, 0.5])('refuses pageSize %s with LIBRARY_OPEN before touching the disk', (pageSize) => {
    const path = join(dir, 'bad.db');
    expect(() => openLibrary(path, { pageSize })).toThrow(expect.objectContaining({ code: 'LIBRARY_OPEN', message: expect.stringContaining('pageSize') }));
    expect(existsSync(path)).toBe(false);
  });

  it('throws LIBRARY_CLOSED after close', () => {
    const lib = openLibrary(join(dir, 'library.db'));
    lib.close();
    expect(() => lib.datasets()).toThrow(expect.objectContaining({ code: 'LIBRARY_CLOSED' }));
  });

  it('names a new dataset table from its slug, avoiding tables that exist', () => {
    const lib = openLibrary(join(dir, 'library.db'));
    lib.db.exec('CREATE TABLE phone_numbers (x TEXT)');
    expect(lib.tableNameFor({ id: 'd1', slug: 'phone-numbers' })).toBe('phone_numbers_2');
    expect(lib.tableNameFor({ id: 'd2', slug: 'dme-releases' })).toBe('ds_dme_releases');
    lib.close();
  });
});

describe('table naming', () => {
  it.each([
    ['phone-numbers-us', 'phone_numbers_us'],
    ['Phone Numbers (US)', 'phone_numbers_us'],
    ['2024-carriers', 'ds_2024_carriers'],
    ['dme-datasets', 'ds_dme_datasets'],
    ['sqlite-master', 'ds_sqlite_master'],
    ['---', 'dataset'],
    ['', 'dataset'],
    ['données-été', 'donn_es_t'],
    ['a'.repeat(100), 'a'.repeat(64)],
  ])('%j → %j', (slug, name) => {
    const t = tableNameForSlug(slug);
    expect(t).toBe(name);
    expect(t).toMatch(/^[a-z][a-z0-9_]{0,63}$/);
  });

  it('adds _2, _3… on collision and keeps within the length limit', () => {
    const taken = new Set(['t', 't_2', 'b'.repeat(64)]);
    expect(uniqueTableName('t', (n) => taken.has(n))).toBe('t_3');
    expect(uniqueTableName('b'.repeat(64), (n) => taken.has(n))).toBe(`${'b'.repeat(62)}_2`);
  });

  it('quotes identifiers with embedded quotes', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
  });
});
