/**
 * @module store/sqlite/sessions
 * Refresh-token families on better-sqlite3. `rotate` is one transaction:
 * find the token, and either consume it and insert its successor, or (when
 * it was already consumed) revoke the family. Reuse detection therefore
 * cannot race with a legitimate rotation.
 *
 * `accountOfActiveFamily` runs for every request with an access token, and
 * under load that join was the hub's largest single cost (~24% of its CPU
 * on the download route). Its answer is cached per family for as long as
 * nothing else was written: the cache key includes this connection's
 * `total_changes()` (every row any statement inserted, updated or deleted,
 * triggers and rolled-back work included, ~0.1 µs to read), less the usage
 * rows the group commit inserts (they touch no account or session). Any
 * other write (a revocation, a suspension, a tier or feature change, a key
 * registration) makes every entry stale at once, so such changes still
 * apply from the next request. Writes by another process (only
 * `dme-hub admin create` writes beside a serving hub, and it only adds
 * accounts) are not counted: entries also expire after MAX_AGE_MS.
 */
import type { Database } from 'better-sqlite3';
import { writeTx } from './tx.js';
import type { AccountRecord, NewRefreshToken, RotateResult, SessionStore } from '../types.js';
import { ACCOUNT_COLUMNS, toAccount } from './rows.js';
import type { AccountRow } from './rows.js';

interface TokenRow {
  id: string;
  family_id: string;
  account_id: string;
  expires_at: string;
  consumed_at: string | null;
  revoked_at: string | null;
}

/** Families whose account is cached at once (the oldest entry makes room). */
const MAX_CACHED = 4096;
/** Longest a cached account is used for, whatever was written (bounds what another process's write could leave stale). */
const MAX_AGE_MS = 1000;

interface CachedAccount {
  mark: number;
  at: number;
  account: AccountRecord;
}

/** `uncounted()`: rows this connection changed that cannot affect an account or a session (usage rows). */
export function sqliteSessions(db: Database, uncounted: () => number = () => 0): SessionStore {
  const insertFamily = db.prepare(`INSERT INTO session_families (id, account_id, created_at) VALUES (?, ?, ?)`);
  const insertToken = db.prepare(
    `INSERT INTO refresh_tokens (id, family_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
  );
  const tokenByHash = db.prepare<[string], TokenRow>(
    `SELECT t.id, t.family_id, f.account_id, t.expires_at, t.consumed_at, f.revoked_at
     FROM refresh_tokens t JOIN session_families f ON f.id = t.family_id
     WHERE t.token_hash = ?`,
  );
  const consume = db.prepare(`UPDATE refresh_tokens SET consumed_at = ? WHERE id = ? AND consumed_at IS NULL`);
  const revokeFamily = db.prepare(
    `UPDATE session_families SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL`,
  );
  const totalChanges = db.prepare<[], number>('SELECT total_changes()').pluck();
  const cache = new Map<string, CachedAccount>();
  const activeFamilyAccount = db.prepare<[string], AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS} FROM session_families s JOIN accounts a ON a.id = s.account_id
     WHERE s.id = ? AND s.revoked_at IS NULL`,
  );

  const openTx = writeTx(db, (familyId: string, accountId: string, token: NewRefreshToken, now: string) => {
    insertFamily.run(familyId, accountId, now);
    insertToken.run(token.id, familyId, token.tokenHash, now, token.expiresAt);
  });

  const rotateTx = writeTx(db, (tokenHash: string, next: NewRefreshToken, now: string): RotateResult => {
    const t = tokenByHash.get(tokenHash);
    if (!t || t.revoked_at !== null) return { kind: 'invalid' };
    if (t.consumed_at !== null) {
      revokeFamily.run(now, 'reuse', t.family_id);
      return { kind: 'reused', accountId: t.account_id, familyId: t.family_id };
    }
    if (t.expires_at <= now) return { kind: 'invalid' };
    consume.run(now, t.id);
    insertToken.run(next.id, t.family_id, next.tokenHash, now, next.expiresAt);
    return { kind: 'rotated', accountId: t.account_id, familyId: t.family_id };
  });

  return {
    open: async ({ familyId, accountId, token, now }) => openTx(familyId, accountId, token, now),
    rotate: async ({ tokenHash, next, now }) => rotateTx(tokenHash, next, now),
    revokeByToken: async (tokenHash, now) => {
      const t = tokenByHash.get(tokenHash);
      if (!t) return false;
      revokeFamily.run(now, 'logout', t.family_id);
      return true;
    },
    accountOfActiveFamily: async (familyId): Promise<AccountRecord | null> => {
      const mark = totalChanges.get()! - uncounted();
      const now = Date.now();
      const hit = cache.get(familyId);
      if (hit && hit.mark === mark && now - hit.at < MAX_AGE_MS && now >= hit.at) return hit.account;
      cache.delete(familyId);
      const row = activeFamilyAccount.get(familyId);
      if (!row) return null;
      // Shared by the requests that hit it: frozen, so none can change what the next one sees.
      const account = toAccount(row);
      Object.freeze(account.features);
      Object.freeze(account);
      cache.set(familyId, { mark, at: now, account });
      if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
      return account;
    },
  };
}
