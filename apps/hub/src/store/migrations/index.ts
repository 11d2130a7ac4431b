/**
 * @module store/migrations
 * Schema migrations in order; migration N sets `PRAGMA user_version = N`.
 * SQLite-dialect SQL only (shared by better-sqlite3 and D1). Never edit a
 * migration that has shipped: add the next one.
 */
import { sql as accounts } from './0001-accounts.js';
import { sql as sessions } from './0002-sessions.js';
import { sql as apiKeys } from './0003-api-keys.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'accounts', sql: accounts },
  { version: 2, name: 'sessions', sql: sessions },
  { version: 3, name: 'api-keys', sql: apiKeys },
];
