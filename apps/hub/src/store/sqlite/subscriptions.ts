/**
 * @module store/sqlite/subscriptions
 * SubscriptionStore on better-sqlite3. Creation checks the tier limit and the
 * one-live-subscription rule inside the transaction (the partial unique index
 * backs the latter up); transitions are conditional on the expected state.
 */
import type { Database } from 'better-sqlite3';
import { writeTx } from './tx.js';
import type { Effects } from '../ledger.js';
import type { SubscriptionRecord, SubscriptionStore, TransitionInput } from '../subscriptions.js';
import type { CreateSubscriptionResult } from '../subscriptions.js';
import { effectsWriter } from './ledger.js';
import { grantWriter } from './releases.js';
import { toSubscription, type SubscriptionRow } from './rows.js';


const LIVE = `status IN ('pending', 'approved', 'active', 'suspended')`;

export function sqliteSubscriptions(db: Database): SubscriptionStore {
  const apply = effectsWriter(db);
  const grants = grantWriter(db);
  const byId = db.prepare<[string], SubscriptionRow>(`SELECT * FROM subscriptions WHERE id = ?`);
  const live = db.prepare<[string, string], SubscriptionRow>(`SELECT * FROM subscriptions WHERE consumer_id = ? AND dataset_id = ? AND ${LIVE}`);
  const liveCount = db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM subscriptions WHERE consumer_id = ? AND ${LIVE}`);
  const insert = db.prepare(
    `INSERT INTO subscriptions (id, dataset_id, consumer_id, producer_id, status, decided_by, approved_by, message, reason, created_at, updated_at)
     VALUES (@id, @datasetId, @consumerId, @producerId, @status, @decidedBy, @approvedBy, @message, @reason, @createdAt, @updatedAt)`,
  );
  const byConsumer = db.prepare<[string], SubscriptionRow>(`SELECT * FROM subscriptions WHERE consumer_id = ? ORDER BY id DESC`);
  const byProducer = db.prepare<[string], SubscriptionRow>(`SELECT * FROM subscriptions WHERE producer_id = ? ORDER BY id DESC`);
  const byProducerStatus = db.prepare<[string, string], SubscriptionRow>(
    `SELECT * FROM subscriptions WHERE producer_id = ? AND status = ? ORDER BY id DESC`,
  );
  const move = db.prepare(
    `UPDATE subscriptions SET status = @to, decided_by = @actor, updated_at = @now, reason = coalesce(@reason, reason),
       approved_by = CASE WHEN @to = 'approved' THEN @actor ELSE approved_by END
     WHERE id = @id AND status = @from`,
  );
  const revoke = db.prepare(
    `DELETE FROM grants WHERE account_id = ? AND release_id IN (SELECT id FROM releases WHERE dataset_id = ?)`,
  );

  const createTx = writeTx(db, (s: SubscriptionRecord, limit: number | null, effects: Effects): CreateSubscriptionResult => {
    const existing = live.get(s.consumerId, s.datasetId);
    if (existing) return { kind: 'duplicate', existing: toSubscription(existing) };
    if (limit !== null && liveCount.get(s.consumerId)!.n >= limit) return { kind: 'limit' };
    insert.run(s);
    apply(effects);
    return { kind: 'created', subscription: toSubscription(byId.get(s.id)!) };
  });

  const transitionTx = writeTx(db, (t: TransitionInput, effects: Effects): SubscriptionRecord | null => {
    if (move.run({ to: t.to, actor: t.actor, now: t.now, reason: t.reason ?? null, id: t.id, from: t.from }).changes === 0) return null;
    const s = byId.get(t.id)!;
    if (t.revokeGrants) revoke.run(s.consumer_id, s.dataset_id);
    if (t.grants) grants.put(t.grants);
    if (t.activate) grants.activateIfCovered(t.activate, t.now);
    apply(effects);
    return toSubscription(byId.get(t.id)!);
  });

  return {
    create: async (s, limit, effects) => createTx(s, limit, effects),
    get: async (id) => {
      const row = byId.get(id);
      return row ? toSubscription(row) : null;
    },
    findLive: async (consumerId, datasetId) => {
      const row = live.get(consumerId, datasetId);
      return row ? toSubscription(row) : null;
    },
    listByConsumer: async (consumerId) => byConsumer.all(consumerId).map(toSubscription),
    listByProducer: async (producerId, status) =>
      (status ? byProducerStatus.all(producerId, status) : byProducer.all(producerId)).map(toSubscription),
    transition: async (t, effects) => transitionTx(t, effects),
  };
}
