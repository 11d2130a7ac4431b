/**
 * @module store/migrations
 * Schema migrations in order; migration N sets `PRAGMA user_version = N`.
 * SQLite-dialect SQL only (shared by better-sqlite3 and D1). Never edit a
 * migration that has shipped: add the next one.
 */
import { sql as accounts } from './0001-accounts.js';
import { sql as sessions } from './0002-sessions.js';
import { sql as apiKeys } from './0003-api-keys.js';
import { sql as datasets } from './0100-datasets.js';
import { sql as releases } from './0101-releases.js';
import { sql as subscriptions } from './0102-subscriptions.js';
import { sql as events } from './0103-events.js';
import { sql as usage } from './0104-usage.js';
import { sql as audit } from './0105-audit.js';
import { sql as quotas } from './0300-quotas.js';
import { sql as freshness } from './0301-freshness.js';
import { sql as adminIndexes } from './0302-admin-indexes.js';
import { sql as webhooks } from './0200-webhooks.js';
import { sql as webhookHealth } from './0303-webhook-health.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'accounts', sql: accounts },
  { version: 2, name: 'sessions', sql: sessions },
  { version: 3, name: 'api-keys', sql: apiKeys },
  { version: 100, name: 'datasets', sql: datasets },
  { version: 101, name: 'releases', sql: releases },
  { version: 102, name: 'subscriptions', sql: subscriptions },
  { version: 103, name: 'events', sql: events },
  { version: 104, name: 'usage', sql: usage },
  { version: 105, name: 'audit', sql: audit },
  { version: 200, name: 'webhooks', sql: webhooks },
  { version: 300, name: 'quotas', sql: quotas },
  { version: 301, name: 'freshness', sql: freshness },
  { version: 302, name: 'admin-indexes', sql: adminIndexes },
  { version: 303, name: 'webhook-health', sql: webhookHealth },
];
