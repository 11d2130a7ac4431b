/**
 * Migration 1: the metadata tables. `dme_datasets` has one row per dataset
 * ever imported (its table name is fixed at the first import so a renamed
 * slug never moves the data); `dme_releases` is the history of imported
 * releases, and its primary key is what makes an import idempotent.
 */
export const version = 1;
export const name = 'metadata';

export const sql = `
CREATE TABLE dme_datasets (
  dataset_id    TEXT PRIMARY KEY,
  slug          TEXT NOT NULL,
  name          TEXT NOT NULL,
  producer      TEXT NOT NULL,
  table_name    TEXT NOT NULL UNIQUE,
  import_mode   TEXT NOT NULL CHECK (import_mode IN ('snapshot', 'incremental')),
  key_columns   TEXT NOT NULL DEFAULT '[]',
  columns_json  TEXT NOT NULL,
  last_release_id TEXT,
  updated_at    TEXT NOT NULL
) STRICT;

CREATE TABLE dme_releases (
  release_id    TEXT PRIMARY KEY,
  dataset_id    TEXT NOT NULL REFERENCES dme_datasets (dataset_id),
  imported_at   TEXT NOT NULL,
  rows          INTEGER NOT NULL CHECK (rows >= 0),
  payload_sha256   TEXT NOT NULL,
  plaintext_sha256 TEXT NOT NULL,
  producer_key_fingerprint TEXT NOT NULL,
  schema_version   TEXT NOT NULL
) STRICT;

CREATE INDEX dme_releases_by_dataset ON dme_releases (dataset_id, imported_at);
`;
