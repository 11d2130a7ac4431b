/**
 * @module store/sqlite/admin
 * AdminStore on better-sqlite3. List filters are fixed SQL fragments chosen
 * by which query members are present; user text only travels as parameters.
 */
import type { Database } from 'better-sqlite3';
import { writeTx } from './tx.js';
import type { AccountRecord } from '../types.js';
import type { AdminStore, UsageTotal } from '../admin.js';
import type { Effects } from '../ledger.js';
import { toDataset } from './datasets.js';
import { effectsWriter } from './ledger.js';
import { ACCOUNT_COLUMNS, toAccount } from './rows.js';
import type { AccountRow, SubscriptionRow } from './rows.js';
import { toSubscription } from './rows.js';

type DatasetRow = Parameters<typeof toDataset>[0];


/** `%` and `_` in user text match literally. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

export function sqliteAdmin(db: Database): AdminStore {
  const apply = effectsWriter(db);
  const byId = db.prepare<[string], AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = ?`);
  const setTier = db.prepare(`UPDATE accounts SET tier = ?, updated_at = ? WHERE id = ?`);
  const setStatus = db.prepare(`UPDATE accounts SET status = ?, updated_at = ? WHERE id = ?`);
  const clearFeatures = db.prepare(`DELETE FROM account_features WHERE account_id = ?`);
  const keepFeature = db.prepare(`SELECT enabled_at FROM account_features WHERE account_id = ? AND feature = ?`);
  const addFeature = db.prepare(`INSERT INTO account_features (account_id, feature, enabled_at) VALUES (?, ?, ?)`);
  const touch = db.prepare(`UPDATE accounts SET updated_at = ? WHERE id = ?`);
  const revokeKeys = db.prepare(`UPDATE api_keys SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL`);
  const datasetById = db.prepare<[string], DatasetRow>(`SELECT * FROM datasets WHERE id = ?`);
  const setDatasetStatus = db.prepare(`UPDATE datasets SET status = ?, updated_at = ? WHERE id = ? AND status = ?`);
  const revokeGrants = db.prepare(`DELETE FROM grants WHERE account_id <> ? AND release_id IN (SELECT id FROM releases WHERE dataset_id = ?)`);
  const cancelSubs = db.prepare(
    `UPDATE subscriptions SET status = 'cancelled', decided_by = ?, updated_at = ? WHERE dataset_id = ? AND status IN ('pending', 'approved', 'active', 'suspended')`,
  );

  const account = (id: string): AccountRecord | null => {
    const r = byId.get(id);
    return r ? toAccount(r) : null;
  };

  /** Runs `change` for an existing account, then the audit effects, in one transaction. */
  const onAccount = <A extends unknown[]>(change: (id: string, now: string, ...args: A) => void) =>
    writeTx(db, (id: string, now: string, effects: Effects, ...args: A): AccountRecord | null => {
      if (!byId.get(id)) return null;
      change(id, now, ...args);
      apply(effects);
      return account(id);
    });

  const tierTx = onAccount((id, now, tier: string) => setTier.run(tier, now, id));
  const statusTx = onAccount((id, now, status: string) => setStatus.run(status, now, id));
  const featuresTx = onAccount((id, now, features: readonly string[]) => {
    const since = new Map(features.map((f) => [f, keepFeature.get(id, f) as { enabled_at: string } | undefined]));
    clearFeatures.run(id);
    for (const f of features) addFeature.run(id, f, since.get(f)?.enabled_at ?? now);
    touch.run(now, id);
  });
  const revokeTx = writeTx(db, (id: string, now: string, effects: Effects) => {
    const n = revokeKeys.run(now, id).changes;
    apply(effects);
    return n;
  });
  const datasetTx = writeTx(db, (id: string, from: string, to: string, now: string, effects: Effects) => {
    if (setDatasetStatus.run(to, now, id, from).changes === 0) return null;
    const d = toDataset(datasetById.get(id)!);
    if (to === 'ARCHIVED' && from !== 'ARCHIVED') {
      // As when the producer archives: subscribers keep what they downloaded, get no new keys.
      revokeGrants.run(d.producerId, id);
      cancelSubs.run('admin', now, id);
    }
    apply(effects);
    return d;
  });

  return {
    listAccounts: async (q) => {
      const where = ['a.id > @afterId'];
      if (q.q) where.push(`(a.email LIKE @q ESCAPE '\\' OR a.display_name LIKE @q ESCAPE '\\' OR a.organization LIKE @q ESCAPE '\\')`);
      if (q.tier) where.push('a.tier = @tier');
      if (q.status) where.push('a.status = @status');
      if (q.feature) where.push('EXISTS (SELECT 1 FROM account_features f WHERE f.account_id = a.id AND f.feature = @feature)');
      return db
        .prepare<Record<string, unknown>, AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE ${where.join(' AND ')} ORDER BY a.id LIMIT @limit`)
        .all({ afterId: q.afterId ?? '', q: q.q ? likePattern(q.q) : null, tier: q.tier ?? null, status: q.status ?? null, feature: q.feature ?? null, limit: q.limit })
        .map(toAccount);
    },
    setTier: async (id, tier, now, effects) => tierTx(id, now, effects, tier),
    setFeatures: async (id, features, now, effects) => featuresTx(id, now, effects, features),
    setStatus: async (id, status, now, effects) => statusTx(id, now, effects, status),
    revokeApiKeys: async (id, now, effects) => revokeTx(id, now, effects),
    listDatasets: async (q) => {
      const status = q.status ? 'status = @status AND ' : '';
      return db
        .prepare<Record<string, unknown>, DatasetRow>(`SELECT * FROM datasets WHERE ${status}id > @afterId ORDER BY id LIMIT @limit`)
        .all({ status: q.status ?? null, afterId: q.afterId ?? '', limit: q.limit })
        .map(toDataset);
    },
    setDatasetStatus: async (id, from, to, now, effects) => datasetTx(id, from, to, now, effects),
    listSubscriptions: async (q) => {
      const status = q.status ? 'status = @status AND ' : '';
      return db
        .prepare<Record<string, unknown>, SubscriptionRow>(`SELECT * FROM subscriptions WHERE ${status}id > @afterId ORDER BY id LIMIT @limit`)
        .all({ status: q.status ?? null, afterId: q.afterId ?? '', limit: q.limit })
        .map(toSubscription);
    },
    usageTotals: async (q) => {
      const where = ['1 = 1'];
      if (q.accountId) where.push('account_id = @accountId');
      if (q.datasetId) where.push('dataset_id = @datasetId');
      if (q.month) where.push('created_at >= @from AND created_at < @to');
      const [y, m] = (q.month ?? '1970-01').split('-').map(Number) as [number, number];
      const rows = db
        .prepare<Record<string, unknown>, { account_id: string; dataset_id: string; month: string; kind: UsageTotal['kind']; n: number; bytes: number }>(
          `SELECT account_id, dataset_id, substr(created_at, 1, 7) AS month, kind, count(*) AS n, sum(bytes) AS bytes
           FROM usage WHERE ${where.join(' AND ')}
           GROUP BY account_id, dataset_id, month, kind ORDER BY month DESC, account_id, dataset_id, kind LIMIT @limit`,
        )
        .all({
          accountId: q.accountId ?? null,
          datasetId: q.datasetId ?? null,
          from: new Date(Date.UTC(y, m - 1, 1)).toISOString(),
          to: new Date(Date.UTC(y, m, 1)).toISOString(),
          limit: q.limit,
        });
      return rows.map((r) => ({ accountId: r.account_id, datasetId: r.dataset_id, month: r.month, kind: r.kind, count: r.n, bytes: r.bytes }));
    },
  };
}
