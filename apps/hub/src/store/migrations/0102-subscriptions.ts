/**
 * @module store/migrations/0102-subscriptions
 * Subscriptions in their own table (never inside account records). The
 * partial unique index is the "one live subscription per consumer and
 * dataset" rule; cancelled and rejected rows stay as history.
 */
export const sql = `
CREATE TABLE subscriptions (
  id TEXT PRIMARY KEY,
  dataset_id TEXT NOT NULL REFERENCES datasets (id),
  consumer_id TEXT NOT NULL REFERENCES accounts (id),
  producer_id TEXT NOT NULL REFERENCES accounts (id),
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'active', 'suspended', 'cancelled', 'rejected')),
  decided_by TEXT,
  approved_by TEXT,
  message TEXT,
  reason TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX subscriptions_live ON subscriptions (consumer_id, dataset_id)
  WHERE status IN ('pending', 'approved', 'active', 'suspended');
CREATE INDEX subscriptions_producer ON subscriptions (producer_id, status, id);
CREATE INDEX subscriptions_dataset ON subscriptions (dataset_id, status);
`;
