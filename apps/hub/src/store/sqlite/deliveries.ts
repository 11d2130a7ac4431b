/**
 * @module store/sqlite/deliveries
 * WebhookStore on better-sqlite3. Disabling a webhook writes its audit entry
 * and WEBHOOK_DISABLED event through `effectsWriter` inside the same
 * transaction, like every other domain change.
 */
import type { Database } from 'better-sqlite3';
import { writeTx } from './tx.js';
import type { AttemptRecord, DeliveryRecord, DueDelivery, NewDelivery, WebhookRecord, WebhookStore } from '../deliveries.js';
import { effectsWriter, eventsAfter } from './ledger.js';

export interface WebhookRow {
  id: string;
  account_id: string;
  url: string;
  secret: string;
  enabled: number;
  from_event_id: number;
  consecutive_failures: number;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
}

interface DeliveryRow {
  id: string;
  webhook_id: string;
  message_id: string;
  event_id: number | null;
  type: string;
  body: string;
  status: DeliveryRecord['status'];
  attempts: number;
  next_attempt_at: string | null;
  redelivery_of: string | null;
  created_at: string;
  updated_at: string;
}

export interface AttemptRow {
  delivery_id: string;
  attempt: number;
  time: string;
  ok: number;
  latency_ms: number;
  response_code: number | null;
  error: string | null;
}

export const toWebhook = (r: WebhookRow): WebhookRecord => ({
  id: r.id,
  accountId: r.account_id,
  url: r.url,
  secret: r.secret,
  enabled: r.enabled === 1,
  fromEventId: r.from_event_id,
  consecutiveFailures: r.consecutive_failures,
  disabledReason: r.disabled_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toDelivery = (r: DeliveryRow): DeliveryRecord => ({
  id: r.id,
  webhookId: r.webhook_id,
  messageId: r.message_id,
  eventId: r.event_id,
  type: r.type,
  body: r.body,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  redeliveryOf: r.redelivery_of,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toAttempt = (r: Omit<AttemptRow, 'delivery_id'>): AttemptRecord => ({
  attempt: r.attempt,
  time: r.time,
  ok: r.ok === 1,
  latencyMs: r.latency_ms,
  responseCode: r.response_code,
  error: r.error,
});

export function sqliteWebhooks(db: Database): WebhookStore {
  const byAccount = db.prepare<[string], WebhookRow>(`SELECT * FROM webhooks WHERE account_id = ?`);
  const lastEvent = db.prepare<[], { id: number }>(`SELECT coalesce(max(id), 0) AS id FROM events`);
  const insertHook = db.prepare(
    `INSERT INTO webhooks (id, account_id, url, secret, enabled, from_event_id, created_at, updated_at)
     VALUES (@id, @accountId, @url, @secret, @enabled, @fromEventId, @now, @now)`,
  );
  const updateHook = db.prepare(
    `UPDATE webhooks SET url = @url, secret = coalesce(@secret, secret), enabled = @enabled,
       from_event_id = CASE WHEN @enabled = 1 AND enabled = 0 THEN @fromEventId ELSE from_event_id END,
       consecutive_failures = CASE WHEN @enabled = 1 AND enabled = 0 THEN 0 ELSE consecutive_failures END,
       disabled_reason = CASE WHEN @enabled = 1 THEN NULL ELSE disabled_reason END,
       updated_at = @now
     WHERE account_id = @accountId`,
  );
  const enabled = db.prepare<[], WebhookRow>(`SELECT * FROM webhooks WHERE enabled = 1`);
  const cursor = db.prepare<[], { last_event_id: number }>(`SELECT last_event_id FROM webhook_dispatch WHERE id = 1`);
  const eventsAfterId = eventsAfter(db);
  const moveCursor = db.prepare<[number, number]>(`UPDATE webhook_dispatch SET last_event_id = ? WHERE id = 1 AND last_event_id = ?`);
  const insertDelivery = db.prepare(
    `INSERT INTO webhook_deliveries (id, webhook_id, message_id, event_id, type, body, status, attempts, next_attempt_at, redelivery_of, created_at, updated_at)
     VALUES (@id, @webhookId, @messageId, @eventId, @type, @body, 'pending', 0, @nextAttemptAt, @redeliveryOf, @createdAt, @createdAt)`,
  );
  const due = db.prepare<[string, number], DeliveryRow & { url: string; secret: string; account_id: string }>(
    `SELECT d.*, w.url, w.secret, w.account_id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
     WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND w.enabled = 1 ORDER BY d.next_attempt_at LIMIT ?`,
  );
  const nextDue = db.prepare<[], { t: string | null }>(
    `SELECT min(d.next_attempt_at) AS t FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.status = 'pending' AND w.enabled = 1`,
  );
  const insertAttempt = db.prepare(
    `INSERT INTO webhook_attempts (delivery_id, attempt, time, ok, latency_ms, response_code, error)
     VALUES (@deliveryId, @attempt, @time, @ok, @latencyMs, @responseCode, @error)`,
  );
  const moveDelivery = db.prepare(
    `UPDATE webhook_deliveries SET status = @status, attempts = @attempt, next_attempt_at = @nextAttemptAt, updated_at = @now WHERE id = @deliveryId`,
  );
  const hookOk = db.prepare<[string, string]>(`UPDATE webhooks SET consecutive_failures = 0, updated_at = ? WHERE id = ?`);
  const hookFailed = db.prepare<[string, string]>(`UPDATE webhooks SET consecutive_failures = consecutive_failures + 1, updated_at = ? WHERE id = ?`);
  const disableHook = db.prepare<[string, string, string]>(`UPDATE webhooks SET enabled = 0, disabled_reason = ?, updated_at = ? WHERE id = ?`);
  const failPending = db.prepare<[string, string]>(
    `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, updated_at = ? WHERE webhook_id = ? AND status = 'pending'`,
  );
  const getDelivery = db.prepare<[string, string], DeliveryRow>(`SELECT * FROM webhook_deliveries WHERE webhook_id = ? AND id = ?`);
  const listDeliveries = db.prepare<[string, number], DeliveryRow>(
    `SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`,
  );
  const attemptsOf = db.prepare<[string], AttemptRow>(`SELECT * FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt`);
  const applyEffects = effectsWriter(db);

  const upsertTx = writeTx(db, (input: Parameters<WebhookStore['upsert']>[0]): WebhookRecord => {
    const fromEventId = lastEvent.get()!.id;
    const params = { ...input, enabled: input.enabled ? 1 : 0, secret: input.secret ?? null, fromEventId };
    if (byAccount.get(input.accountId)) updateHook.run(params);
    else {
      if (!input.secret) throw new Error('a new webhook needs a secret');
      insertHook.run(params);
    }
    return toWebhook(byAccount.get(input.accountId)!);
  });

  const dispatchTx = writeTx(db, (from: number, to: number, deliveries: NewDelivery[]): boolean => {
    if (moveCursor.run(to, from).changes !== 1) return false;
    for (const d of deliveries) insertDelivery.run(d);
    return true;
  });

  const attemptTx = writeTx(db, (r: Parameters<WebhookStore['recordAttempt']>[0], now: string) => {
    insertAttempt.run({ deliveryId: r.deliveryId, ...r.attempt, ok: r.attempt.ok ? 1 : 0 });
    moveDelivery.run({ deliveryId: r.deliveryId, status: r.status, attempt: r.attempt.attempt, nextAttemptAt: r.nextAttemptAt, now });
    if (r.attempt.ok) hookOk.run(now, r.webhookId);
    else hookFailed.run(now, r.webhookId);
    if (r.disable) {
      disableHook.run(r.disable.reason, now, r.webhookId);
      failPending.run(now, r.webhookId);
      applyEffects(r.disable.effects);
    }
  });

  return {
    getByAccount: async (accountId) => {
      const row = byAccount.get(accountId);
      return row ? toWebhook(row) : null;
    },
    upsert: async (input) => upsertTx(input),
    listEnabled: async () => enabled.all().map(toWebhook),
    undispatched: async (limit) => {
      const at = cursor.get()!.last_event_id;
      const events = eventsAfterId(at, limit);
      return { cursor: at, events };
    },
    dispatch: async (from, to, deliveries) => dispatchTx(from, to, deliveries),
    enqueue: async (d) => {
      insertDelivery.run(d);
    },
    due: async (now, limit) =>
      due.all(now, limit).map((r): DueDelivery => ({ ...toDelivery(r), url: r.url, secret: r.secret, accountId: r.account_id })),
    nextDueAt: async () => nextDue.get()?.t ?? null,
    recordAttempt: async (result, now) => attemptTx(result, now),
    getDelivery: async (webhookId, id) => {
      const row = getDelivery.get(webhookId, id);
      return row ? toDelivery(row) : null;
    },
    listDeliveries: async (webhookId, limit) =>
      listDeliveries.all(webhookId, limit).map((r) => ({ ...toDelivery(r), log: attemptsOf.all(r.id).map(toAttempt) })),
    lastEventId: async () => lastEvent.get()!.id,
  };
}
