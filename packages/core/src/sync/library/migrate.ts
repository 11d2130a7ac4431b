/**
 * @module sync/library/migrate
 * Brings a library file up to LATEST_VERSION, one migration per transaction,
 * PRAGMA user_version recording how far it got. A file from a newer DME is
 * refused rather than guessed at.
 */
import type Database from 'better-sqlite3';
import { LibraryError } from './errors.js';
import { LATEST_VERSION, MIGRATIONS, type Migration } from './migrations/index.js';

export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies the migrations above the file's user_version; returns the versions applied. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const current = userVersion(db);
  const latest = migrations === MIGRATIONS ? LATEST_VERSION : migrations.length;
  if (current > latest) {
    throw new LibraryError('LIBRARY_TOO_NEW', `the library is at schema version ${current}, this DME knows up to ${latest}; update DME`);
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      // user_version takes no bound parameter; m.version is a number from our own list.
      db.pragma(`user_version = ${Math.trunc(m.version)}`);
    }).immediate();
    applied.push(m.version);
  }
  return applied;
}
