/**
 * @module store/migrations/0103-events
 * The durable, ordered event log (outbox). A row is inserted in the same
 * transaction as the change it reports, so an event exists if and only if its
 * change does. `account_id` scopes who may read it (NULL: everyone with
 * access to the dataset). The event stream and webhooks read from here.
 */
export const sql = `
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  dataset_id TEXT,
  account_id TEXT,
  payload TEXT NOT NULL CHECK (json_valid(payload)),
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX events_dataset ON events (dataset_id, id);
CREATE INDEX events_account ON events (account_id, id);
`;
