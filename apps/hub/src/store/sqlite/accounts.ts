/**
 * @module store/sqlite/accounts
 * AccountStore on better-sqlite3. Statements are prepared once per store.
 */
import type { Database } from 'better-sqlite3';
import { writeTx } from './tx.js';
import type { Feature } from '@dme/core/protocol';
import { StoreConflictError } from '../types.js';
import type { AccountPatch, AccountRecord, AccountStore, NewAccount } from '../types.js';
import { ACCOUNT_COLUMNS, isUniqueViolation, toAccount } from './rows.js';
import type { AccountRow } from './rows.js';

export function sqliteAccounts(db: Database): AccountStore {
  const byId = db.prepare<[string], AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = ?`);
  const byEmail = db.prepare<[string], AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.email = ?`);
  const insert = db.prepare(
    `INSERT INTO accounts (id, email, password_hash, display_name, organization, created_at, updated_at)
     VALUES (@id, @email, @passwordHash, @displayName, @organization, @now, @now)`,
  );
  const insertFeature = db.prepare(
    `INSERT INTO account_features (account_id, feature, enabled_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const touchUpdated = db.prepare(`UPDATE accounts SET updated_at = ? WHERE id = ?`);
  const adminCount = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM account_features WHERE feature = 'ADMIN'`);

  const get = (id: string): AccountRecord | null => {
    const row = byId.get(id);
    return row ? toAccount(row) : null;
  };

  const createTx = writeTx(db, (a: NewAccount): AccountRecord => {
    try {
      insert.run({ id: a.id, email: a.email, passwordHash: a.passwordHash, displayName: a.displayName, organization: a.organization, now: a.now });
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreConflictError('an account with this email already exists');
      throw err;
    }
    for (const f of a.features) insertFeature.run(a.id, f, a.now);
    return get(a.id)!;
  });

  const updateTx = writeTx(db, (id: string, patch: AccountPatch, now: string): AccountRecord | null => {
    if (!byId.get(id)) return null;
    const sets: string[] = ['updated_at = @now'];
    if (patch.displayName !== undefined) sets.push('display_name = @displayName');
    if (patch.organization !== undefined) sets.push('organization = @organization');
    if (patch.ageRecipient !== undefined) sets.push('age_recipient = @ageRecipient');
    if (patch.signingPublicKey !== undefined) sets.push('signing_public_key = @signingPublicKey');
    if (patch.ageRecipient !== undefined || patch.signingPublicKey !== undefined) sets.push('keys_updated_at = @now');
    // Column names come from the fixed list above, never from input.
    db.prepare(`UPDATE accounts SET ${sets.join(', ')} WHERE id = @id`).run({
      id,
      now,
      displayName: patch.displayName ?? null,
      organization: patch.organization ?? null,
      ageRecipient: patch.ageRecipient ?? null,
      signingPublicKey: patch.signingPublicKey ?? null,
    });
    return get(id);
  });

  const addFeatureTx = writeTx(db, (id: string, feature: Feature, now: string): AccountRecord | null => {
    if (!byId.get(id)) return null;
    if (insertFeature.run(id, feature, now).changes > 0) touchUpdated.run(now, id);
    return get(id);
  });

  const firstAdminTx = writeTx(db, (a: Omit<NewAccount, 'features'>): AccountRecord | null => {
    if (adminCount.get()!.n > 0) return null;
    return createTx({ ...a, features: ['ADMIN'] });
  });

  return {
    create: async (a) => createTx(a),
    getById: async (id) => get(id),
    getByEmail: async (email) => {
      const row = byEmail.get(email);
      return row ? toAccount(row) : null;
    },
    update: async (id, patch, now) => updateTx(id, patch, now),
    addFeature: async (id, feature, now) => addFeatureTx(id, feature, now),
    createFirstAdmin: async (a) => firstAdminTx(a),
    countAdmins: async () => adminCount.get()!.n,
  };
}
