/**
 * @module store/sqlite/migrate
 * Applies pending migrations to a better-sqlite3 database, each in its own
 * transaction together with its `PRAGMA user_version` bump, so a crash leaves
 * the schema at a whole version.
 */
import type { Database } from 'better-sqlite3';
import { writeTx } from './tx.js';
import { MIGRATIONS } from '../migrations/index.js';
import type { Migration } from '../migrations/index.js';

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies migrations with version > current, up to `upTo` (default: all). Returns the new version. */
export function migrate(db: Database, upTo: number = Infinity, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = schemaVersion(db);
  const newest = migrations.at(-1)?.version ?? 0;
  if (current > newest) throw new Error(`database schema version ${current} is newer than this hub (${newest}); upgrade the hub`);
  for (const m of migrations) {
    if (m.version <= current || m.version > upTo) continue;
    writeTx(db, () => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return schemaVersion(db);
}
