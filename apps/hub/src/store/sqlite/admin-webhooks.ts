/**
 * @module store/sqlite/admin-webhooks
 * AdminWebhookStore on better-sqlite3. A page is one keyset range over the
 * webhooks (index (enabled, id) or the primary key), then per webhook a few
 * seeks in webhook_deliveries_health and the newest deliveries through
 * webhook_deliveries_hook: the cost grows with the page size, not with the
 * length of the delivery log.
 */
import type { Database } from 'better-sqlite3';
import type { AdminWebhookStore, RecentDelivery, WebhookHealthRecord } from '../admin-webhooks.js';
import type { DeliveryStatus, WebhookRecord } from '../deliveries.js';
import type { Effects } from '../ledger.js';
import { effectsWriter } from './ledger.js';
import { toAttempt, toWebhook, type AttemptRow, type WebhookRow } from './deliveries.js';

interface RecentRow {
  id: string;
  type: string;
  status: DeliveryStatus;
  attempts: number;
  created_at: string;
  updated_at: string;
}

/** The statements, exported so the scale test can check their query plans. */
export const HEALTH_SQL = {
  pageAll: `SELECT w.*, a.email FROM webhooks w JOIN accounts a ON a.id = w.account_id WHERE w.id > @afterId ORDER BY w.id LIMIT @limit`,
  pageByState: `SELECT w.*, a.email FROM webhooks w JOIN accounts a ON a.id = w.account_id WHERE w.enabled = @enabled AND w.id > @afterId ORDER BY w.id LIMIT @limit`,
  countSince: `SELECT count(*) AS n FROM webhook_deliveries WHERE webhook_id = ? AND status = ? AND updated_at >= ?`,
  count: `SELECT count(*) AS n FROM webhook_deliveries WHERE webhook_id = ? AND status = ?`,
  last: `SELECT max(updated_at) AS t FROM webhook_deliveries WHERE webhook_id = ? AND status = ?`,
  lastRetrying: `SELECT max(updated_at) AS t FROM webhook_deliveries WHERE webhook_id = ? AND status = 'pending' AND attempts > 0`,
  recent: `SELECT id, type, status, attempts, created_at, updated_at FROM webhook_deliveries WHERE webhook_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`,
  lastAttempt: `SELECT attempt, time, ok, latency_ms, response_code, error FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt DESC LIMIT 1`,
} as const;

export function sqliteAdminWebhooks(db: Database): AdminWebhookStore {
  const pageAll = db.prepare<Record<string, unknown>, WebhookRow & { email: string }>(HEALTH_SQL.pageAll);
  const pageByState = db.prepare<Record<string, unknown>, WebhookRow & { email: string }>(HEALTH_SQL.pageByState);
  const countSince = db.prepare<[string, DeliveryStatus, string], { n: number }>(HEALTH_SQL.countSince);
  const count = db.prepare<[string, DeliveryStatus], { n: number }>(HEALTH_SQL.count);
  const last = db.prepare<[string, DeliveryStatus], { t: string | null }>(HEALTH_SQL.last);
  const lastRetrying = db.prepare<[string], { t: string | null }>(HEALTH_SQL.lastRetrying);
  const recent = db.prepare<[string, number], RecentRow>(HEALTH_SQL.recent);
  const lastAttempt = db.prepare<[string], Omit<AttemptRow, 'delivery_id'>>(HEALTH_SQL.lastAttempt);
  const byId = db.prepare<[string], WebhookRow>(`SELECT * FROM webhooks WHERE id = ?`);
  const lastEvent = db.prepare<[], { id: number }>(`SELECT coalesce(max(id), 0) AS id FROM events`);
  const enable = db.prepare(
    `UPDATE webhooks SET enabled = 1, consecutive_failures = 0, disabled_reason = NULL, from_event_id = ?, updated_at = ? WHERE id = ? AND enabled = 0`,
  );
  const apply = effectsWriter(db);

  const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);

  // One read transaction per page, so its figures come from one snapshot.
  const pageTx = db.transaction((q: Parameters<AdminWebhookStore['listHealth']>[0]): WebhookHealthRecord[] => {
    const params = { afterId: q.afterId ?? '', limit: q.limit, enabled: q.enabled ? 1 : 0 };
    const rows = q.enabled === undefined ? pageAll.all(params) : pageByState.all(params);
    return rows.map((r) => ({
      webhook: toWebhook(r),
      accountEmail: r.email,
      failedSince: countSince.get(r.id, 'failed', q.since)!.n,
      succeededSince: countSince.get(r.id, 'succeeded', q.since)!.n,
      pending: count.get(r.id, 'pending')!.n,
      lastSuccessAt: last.get(r.id, 'succeeded')!.t,
      lastFailureAt: later(last.get(r.id, 'failed')!.t, lastRetrying.get(r.id)!.t),
      recent: recent.all(r.id, q.recent).map(
        (d): RecentDelivery => {
          const a = lastAttempt.get(d.id);
          return { id: d.id, type: d.type, status: d.status, attempts: d.attempts, createdAt: d.created_at, updatedAt: d.updated_at, lastAttempt: a ? toAttempt(a) : null };
        },
      ),
    }));
  });

  const enableTx = db.transaction((id: string, now: string, effects: Effects): WebhookRecord | null => {
    if (enable.run(lastEvent.get()!.id, now, id).changes !== 1) return null;
    apply(effects);
    return toWebhook(byId.get(id)!);
  });

  return {
    listHealth: async (q) => pageTx(q),
    get: async (id) => {
      const r = byId.get(id);
      return r ? toWebhook(r) : null;
    },
    enable: async (id, now, effects) => enableTx(id, now, effects),
  };
}
