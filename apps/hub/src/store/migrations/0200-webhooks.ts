/**
 * @module store/migrations/0200-webhooks
 * Webhook delivery state. One webhook per account. `from_event_id` is the
 * last event id when the webhook was created or (re-)enabled: it receives
 * only later events. `webhook_dispatch` holds the single cursor of the
 * dispatcher that turns events into deliveries; cursor and deliveries move
 * in one transaction, so a restart neither skips nor doubles an event.
 * Pending deliveries are rows with a due time: they survive restarts.
 */
export const sql = `
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL UNIQUE REFERENCES accounts (id),
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  from_event_id INTEGER NOT NULL,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  disabled_reason TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX webhooks_enabled ON webhooks (enabled);

CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  message_id TEXT NOT NULL,
  event_id INTEGER,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  redelivery_of TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, created_at);

CREATE TABLE webhook_attempts (
  delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  time TEXT NOT NULL,
  ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
  latency_ms INTEGER NOT NULL,
  response_code INTEGER,
  error TEXT,
  PRIMARY KEY (delivery_id, attempt)
) STRICT;

CREATE TABLE webhook_dispatch (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_event_id INTEGER NOT NULL
) STRICT;
INSERT INTO webhook_dispatch (id, last_event_id) SELECT 1, coalesce(max(id), 0) FROM events;
`;
