import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, userVersion } from '../migrate.js';
import * as m from './0001-metadata.js';

function fresh(): Database.Database {
  const db = new Database(':memory:');
  migrate(db, [m]);
  return db;
}

function plan(db: Database.Database, sql: string): string {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
}

describe('migration 0001-metadata', () => {
  it('applies on an empty database and records user_version 1', () => {
    const db = fresh();
    expect(userVersion(db)).toBe(1);
    const tables = db.prepare("SELECT name, strict FROM pragma_table_list WHERE name LIKE 'dme_%' ORDER BY name").all();
    expect(tables).toEqual([
      { name: 'dme_datasets', strict: 1 },
      { name: 'dme_releases', strict: 1 },
    ]);
  });

  it('makes STRICT tables that refuse mistyped values', () => {
    const db = fresh();
    db.prepare("INSERT INTO dme_datasets VALUES ('d1', 's', 'n', 'p', 't', 'snapshot', '[]', '[]', NULL, 'now')").run();
    expect(() =>
      db.prepare("INSERT INTO dme_releases VALUES ('r1', 'd1', 'now', 'many', 'a', 'b', 'fp', 'v1')").run(),
    ).toThrow(/cannot store TEXT value in INTEGER column/);
    expect(() => db.prepare("INSERT INTO dme_datasets VALUES ('d2', 's', 'n', 'p', 't2', 'merge', '[]', '[]', NULL, 'now')").run()).toThrow(/CHECK/);
  });

  it('serves the main lookups from the intended indexes', () => {
    const db = fresh();
    expect(plan(db, "SELECT * FROM dme_releases WHERE release_id = 'r'")).toMatch(/USING INDEX sqlite_autoindex_dme_releases_1 \(release_id=\?\)/);
    expect(plan(db, "SELECT * FROM dme_datasets WHERE dataset_id = 'd'")).toMatch(/USING INDEX sqlite_autoindex_dme_datasets_1 \(dataset_id=\?\)/);
    const history = plan(db, "SELECT * FROM dme_releases WHERE dataset_id = 'd' ORDER BY imported_at DESC, rowid DESC LIMIT 10");
    expect(history).toMatch(/USING INDEX dme_releases_by_dataset \(dataset_id=\?\)/);
    expect(history).not.toMatch(/TEMP B-TREE/);
  });

  it('is not applied twice', () => {
    const db = fresh();
    expect(migrate(db, [m])).toEqual([]);
    expect(userVersion(db)).toBe(1);
  });
});
