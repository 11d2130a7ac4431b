import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../migrations/index.js';
import { migrate, schemaVersion } from './migrate.js';

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
});
afterEach(() => db.close());

function plan(sql: string, ...params: unknown[]): string {
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
  return rows.map((r) => r.detail).join(' | ');
}

function strictTables(): string[] {
  const rows = db.prepare(`SELECT name FROM pragma_table_list WHERE strict = 1 AND schema = 'main'`).all() as { name: string }[];
  return rows.map((r) => r.name).sort();
}

describe('migrations', () => {
  it('have strictly increasing versions, starting at 1', () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions[0]).toBe(1);
    for (let i = 1; i < versions.length; i++) expect(versions[i]!).toBeGreaterThan(versions[i - 1]!);
  });

  it('0001 accounts: applies on an empty DB; email lookup and admin count use their indexes', () => {
    expect(migrate(db, 1)).toBe(1);
    expect(strictTables()).toEqual(['account_features', 'accounts']);
    expect(plan('SELECT id FROM accounts WHERE email = ?', 'a@b.c')).toContain('USING INDEX accounts_email');
    expect(plan('SELECT feature FROM account_features WHERE account_id = ?', 'acc_1')).toContain('USING PRIMARY KEY (account_id=?)');
    expect(plan(`SELECT count(*) FROM account_features WHERE feature = 'ADMIN'`)).toContain('account_features_feature');
    expect(() =>
      db.prepare(`INSERT INTO accounts (id, email, password_hash, display_name, tier, created_at, updated_at) VALUES ('a', 'e', 'h', 'n', 'GOLD', 't', 't')`).run(),
    ).toThrow(/CHECK/);
  });

  it('0002 sessions: applies on top of 0001; refresh-token lookup by hash uses its unique index', () => {
    migrate(db, 1);
    expect(migrate(db, 2)).toBe(2);
    expect(strictTables()).toEqual(expect.arrayContaining(['session_families', 'refresh_tokens']));
    expect(plan('SELECT id FROM refresh_tokens WHERE token_hash = ?', 'x')).toContain('USING INDEX refresh_tokens_hash');
    expect(() => db.prepare(`INSERT INTO session_families (id, account_id, created_at) VALUES ('s', 'no-such-account', 't')`).run()).toThrow(/FOREIGN KEY/);
  });

  it('0003 api keys: applies on top of 0002; listing by account uses its index', () => {
    migrate(db, 2);
    expect(migrate(db, 3)).toBe(3);
    expect(strictTables()).toEqual(expect.arrayContaining(['api_keys']));
    expect(plan('SELECT id FROM api_keys WHERE account_id = ? AND revoked_at IS NULL ORDER BY created_at DESC', 'acc_1')).toContain('USING INDEX api_keys_account');
    expect(plan('SELECT secret_hash FROM api_keys WHERE id = ?', 'key_1')).toContain('USING INDEX sqlite_autoindex_api_keys_1');
  });

  it('is idempotent, and refuses a database from a newer hub', () => {
    const newest = MIGRATIONS.at(-1)!.version;
    expect(migrate(db)).toBe(newest);
    expect(migrate(db)).toBe(newest);
    db.pragma(`user_version = ${newest + 1}`);
    expect(() => migrate(db)).toThrow(/newer than this hub/);
    expect(schemaVersion(db)).toBe(newest + 1);
  });

  it('a failing migration leaves the schema at the previous whole version', () => {
    migrate(db, 1);
    const broken = [...MIGRATIONS.slice(0, 1), { version: 2, name: 'broken', sql: 'CREATE TABLE half (x INTEGER) STRICT; CREATE TABLE oops (' }];
    expect(() => migrate(db, Infinity, broken)).toThrow();
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare(`SELECT name FROM sqlite_schema WHERE name = 'half'`).get()).toBeUndefined();
  });
});
