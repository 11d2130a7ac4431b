/**
 * @module store/migrations/0104-usage
 * Usage and lineage: one row per upload completion and per download URL
 * issued (who, what, when, bytes, checksum). Append-only.
 */
export const sql = `
CREATE TABLE usage (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('upload', 'download')),
  dataset_id TEXT NOT NULL,
  release_id TEXT NOT NULL,
  bytes INTEGER NOT NULL CHECK (bytes >= 0),
  sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX usage_account ON usage (account_id, created_at);
CREATE INDEX usage_dataset ON usage (dataset_id, created_at);
`;
