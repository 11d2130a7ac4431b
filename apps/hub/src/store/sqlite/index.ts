/**
 * @module store/sqlite
 * The embedded Store: one SQLite file through better-sqlite3, WAL journal,
 * foreign keys on, migrations applied on open. better-sqlite3 is synchronous;
 * the async Store methods simply resolve with its results.
 */
import Database from 'better-sqlite3';
import type { Store } from '../types.js';
import { sqliteAccounts } from './accounts.js';
import { sqliteApiKeys } from './api-keys.js';
import { sqliteDatasets } from './datasets.js';
import { sqliteWebhooks } from './deliveries.js';
import { sqliteAudit, sqliteEvents } from './ledger.js';
import { sqliteUsage } from './usage.js';
import { startCheckpointer } from './checkpointer.js';
import { sqliteReleases } from './releases.js';
import { sqliteQuotas } from './quotas.js';
import { sqliteFreshness } from './freshness.js';
import { sqliteAdmin } from './admin.js';
import { sqliteAdminWebhooks } from './admin-webhooks.js';
import { sqliteSubscriptions } from './subscriptions.js';
import { migrate } from './migrate.js';
import { sqliteSessions } from './sessions.js';

export interface SqliteStore extends Store {
  /** The underlying handle, for domain stores added later and for tests. */
  db: Database.Database;
}

export interface SqliteStoreOptions {
  /** Run WAL checkpoints in a worker thread instead of inside commits (./checkpointer.ts); the served hub does. */
  backgroundCheckpoints?: boolean;
}

/** Opens (creating if needed) the database at `path` and brings its schema up to date. */
export function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): SqliteStore {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // WAL + NORMAL: a committed transaction survives any crash of the hub process; after a power
  // loss or OS crash the last transactions committed before it may roll back, but the database is
  // never corrupt. FULL would fsync on every commit (measured: ~234 vs ~53 µs per one-row commit).
  db.pragma('synchronous = NORMAL');
  migrate(db);
  const quotas = sqliteQuotas(db);
  const usage = sqliteUsage(db);
  const checkpointer = opts.backgroundCheckpoints && !db.memory ? startCheckpointer(db, path) : undefined;
  return {
    db,
    accounts: sqliteAccounts(db),
    sessions: sqliteSessions(db, usage.insertedRows),
    apiKeys: sqliteApiKeys(db),
    datasets: sqliteDatasets(db),
    releases: sqliteReleases(db),
    subscriptions: sqliteSubscriptions(db),
    audit: sqliteAudit(db),
    usage,
    events: sqliteEvents(db),
    webhooks: sqliteWebhooks(db),
    quotas,
    freshness: sqliteFreshness(db),
    admin: sqliteAdmin(db),
    adminWebhooks: sqliteAdminWebhooks(db),
    close: async () => {
      // Counted API calls live in memory for up to a second: persist them first.
      await quotas.flush();
      usage.flush();
      await checkpointer?.stop();
      db.close();
    },
  };
}
