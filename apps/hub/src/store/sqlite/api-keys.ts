/**
 * @module store/sqlite/api-keys
 * ApiKeyStore on better-sqlite3. Revocation keeps the row (revoked_at) so
 * usage and audit records can still name the key.
 */
import type { Database } from 'better-sqlite3';
import type { ApiKeyStore } from '../types.js';
import { ACCOUNT_COLUMNS, toAccount, toApiKey } from './rows.js';
import type { AccountRow, ApiKeyRow } from './rows.js';

const KEY_COLUMNS = 'k.id, k.account_id, k.name, k.scopes, k.secret_hash, k.created_at, k.expires_at, k.last_used_at';

export function sqliteApiKeys(db: Database): ApiKeyStore {
  const insert = db.prepare(
    `INSERT INTO api_keys (id, account_id, name, scopes, secret_hash, created_at, expires_at)
     VALUES (@id, @accountId, @name, @scopes, @secretHash, @createdAt, @expiresAt)`,
  );
  const byId = db.prepare<[string], ApiKeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys k WHERE k.id = ?`);
  const list = db.prepare<[string], ApiKeyRow>(
    `SELECT ${KEY_COLUMNS} FROM api_keys k WHERE k.account_id = ? AND k.revoked_at IS NULL ORDER BY k.created_at DESC, k.id DESC`,
  );
  const revoke = db.prepare(`UPDATE api_keys SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL`);
  const liveById = db.prepare<[string], ApiKeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys k WHERE k.id = ? AND k.revoked_at IS NULL`);
  const account = db.prepare<[string], AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = ?`);
  const touch = db.prepare(`UPDATE api_keys SET last_used_at = ? WHERE id = ?`);

  return {
    create: async (key) => {
      insert.run({ ...key, scopes: JSON.stringify(key.scopes) });
      return toApiKey(byId.get(key.id)!);
    },
    listByAccount: async (accountId) => list.all(accountId).map(toApiKey),
    revoke: async (accountId, id, now) => revoke.run(now, id, accountId).changes > 0,
    getForAuth: async (id) => {
      // Two primary-key lookups; the account row cannot vanish in between (keys cascade with it).
      const row = liveById.get(id);
      const acc = row ? account.get(row.account_id) : undefined;
      if (!row || !acc) return null;
      return { key: toApiKey(row), secretHash: row.secret_hash, account: toAccount(acc) };
    },
    touch: async (id, now) => {
      touch.run(now, id);
    },
  };
}
