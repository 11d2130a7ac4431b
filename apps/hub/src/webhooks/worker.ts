/**
 * @module webhooks/worker
 * The delivery worker: dispatches new events into deliveries, then sends
 * every due delivery (signed, through the runtime's sender, after the SSRF
 * guard), logs the attempt and schedules the retry (webhooks/schedule).
 * It is woken by the event notifier (new events: push, not polling) and by a
 * timer set to the next due retry, so pending rows in the database are all
 * the state there is: a restarted hub simply picks them up.
 *
 * `tick()` runs one pass and is what tests drive with a controllable clock.
 */
import { recorder } from '../audit/recorder.js';
import type { Clock, IdSource, Logger } from '../deps.js';
import type { EventNotifier } from '../events/notifier.js';
import type { DueDelivery } from '../store/deliveries.js';
import type { Store } from '../store/types.js';
import { dispatchEvents } from './dispatch.js';
import { retryDelayMs } from './schedule.js';
import { DELIVERY_TIMEOUT_MS, isSuccess } from './sender.js';
import type { SendResult, WebhookSender } from './sender.js';
import { signWebhook } from './signing.js';
import { WebhookTargetError, checkWebhookTarget } from './ssrf.js';

export interface WebhookWorkerDeps {
  store: Store;
  clock: Clock;
  ids: IdSource;
  sender: WebhookSender;
  notifier: EventNotifier;
  devMode: boolean;
  logger?: Logger;
  /** In [0, 1): jitter source (tests pin it). */
  random?: () => number;
  /** Parallel sends per pass (default 64). */
  concurrency?: number;
  timeoutMs?: number;
  /** Longest sleep between passes when nothing is due (default 60 s). */
  maxSleepMs?: number;
}

export interface WebhookWorker {
  /** One pass: dispatch, then send what is due. Concurrent calls share one pass (plus one follow-up). */
  tick(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

const BATCH = 500;
const ERROR_MAX = 500;

export function createWebhookWorker(d: WebhookWorkerDeps): WebhookWorker {
  const random = d.random ?? Math.random;
  const audit = recorder(d.store, d.clock);
  let running: Promise<void> | undefined;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let unsubscribe: (() => void) | undefined;
  let stopped = true;

  const attempt = async (del: DueDelivery): Promise<void> => {
    const n = del.attempts + 1;
    const started = Date.now();
    let result: SendResult;
    try {
      checkWebhookTarget(del.url, d.devMode);
      const ts = Math.floor(d.clock.now().getTime() / 1000);
      const signed = await signWebhook(del.secret, del.messageId, ts, del.body);
      result = await d.sender.send({
        url: del.url,
        headers: { ...signed, 'content-type': 'application/json', 'user-agent': 'dme-hub-webhooks/1' },
        body: del.body,
        timeoutMs: d.timeoutMs ?? DELIVERY_TIMEOUT_MS,
      });
    } catch (err) {
      result = { status: null, error: err instanceof WebhookTargetError ? `refused: ${err.message}` : err instanceof Error ? err.message : String(err) };
    }
    const latencyMs = Date.now() - started;
    const ok = isSuccess(result);
    const error = ok ? null : (result.error ?? `HTTP ${result.status}`).slice(0, ERROR_MAX);
    const now = d.clock.now();
    const iso = now.toISOString();
    const log = { attempt: n, time: iso, ok, latencyMs, responseCode: result.status, error };
    const delay = ok ? null : retryDelayMs(n, random);
    const base = { deliveryId: del.id, webhookId: del.webhookId, attempt: log };
    // A test ping is never retried and never disables the webhook.
    if (ok || delay !== null || del.eventId === null) {
      await d.store.webhooks.recordAttempt(
        {
          ...base,
          status: ok ? 'succeeded' : delay !== null && del.eventId !== null ? 'pending' : 'failed',
          nextAttemptAt: !ok && delay !== null && del.eventId !== null ? new Date(now.getTime() + delay).toISOString() : null,
        },
        iso,
      );
      return;
    }
    const reason = `delivery ${del.id} failed ${n} attempts; last: ${error}`;
    await audit.run(
      { actor: 'system', action: 'webhook.disable', subject: del.webhookId, details: { accountId: del.accountId, deliveryId: del.id, attempts: n, lastError: error } },
      (effects) => d.store.webhooks.recordAttempt({ ...base, status: 'failed', nextAttemptAt: null, disable: { reason, effects } }, iso),
      {
        events: [
          {
            type: 'WEBHOOK_DISABLED',
            datasetId: null,
            accountId: del.accountId,
            createdAt: iso,
            payload: { webhookId: del.webhookId, url: del.url, failureCount: n, ...(error ? { lastError: error } : {}) },
          },
        ],
      },
    );
    d.notifier.notify();
  };

  const deliverDue = async () => {
    for (let round = 0; round < 100; round++) {
      const due = await d.store.webhooks.due(d.clock.now().toISOString(), BATCH);
      if (due.length === 0) return;
      let next = 0;
      const lanes = Array.from({ length: Math.min(d.concurrency ?? 64, due.length) }, async () => {
        while (next < due.length) await attempt(due[next++]!);
      });
      await Promise.all(lanes);
      if (due.length < BATCH) return;
    }
  };

  const schedule = async () => {
    if (stopped) return;
    const nextDue = await d.store.webhooks.nextDueAt();
    const max = d.maxSleepMs ?? 60_000;
    const wait = nextDue === null ? max : Math.min(max, Math.max(0, Date.parse(nextDue) - d.clock.now().getTime()));
    if (timer) clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(() => void tick(), wait);
    (timer as { unref?: () => void }).unref?.();
  };

  const pass = async () => {
    do {
      again = false;
      try {
        await dispatchEvents(d.store, d.ids, d.clock.now().toISOString());
        await deliverDue();
      } catch (err) {
        d.logger?.error('webhook worker pass failed', { error: err instanceof Error ? err.message : String(err) });
      }
    } while (again && !stopped);
    try {
      await schedule();
    } catch {
      // the store is closing; start() or the next wake-up reschedules
    }
  };

  const tick = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = pass().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    tick,
    start() {
      if (!stopped) return;
      stopped = false;
      unsubscribe = d.notifier.subscribe(() => void tick());
      void tick();
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
