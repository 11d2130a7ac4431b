/**
 * @module store/migrations/0101-releases
 * Releases and their key grants. A release is created 'uploading' with the
 * size and SHA-256 the producer declared; it becomes 'published' only in the
 * transaction that stores its manifest and grants. A grant is a complete age
 * header wrapping the file key for one account: never a key the hub can use.
 */
export const sql = `
CREATE TABLE releases (
  id TEXT PRIMARY KEY,
  dataset_id TEXT NOT NULL REFERENCES datasets (id),
  producer_id TEXT NOT NULL REFERENCES accounts (id),
  status TEXT NOT NULL CHECK (status IN ('uploading', 'published', 'failed')),
  payload_size INTEGER NOT NULL CHECK (payload_size >= 0),
  payload_sha256 TEXT,
  blob_key TEXT NOT NULL,
  upload_id TEXT,
  manifest TEXT CHECK (manifest IS NULL OR json_valid(manifest)),
  profile TEXT CHECK (profile IS NULL OR json_valid(profile)),
  created_at TEXT NOT NULL,
  published_at TEXT
) STRICT;
CREATE INDEX releases_dataset ON releases (dataset_id, status, published_at);

CREATE TABLE grants (
  release_id TEXT NOT NULL REFERENCES releases (id),
  account_id TEXT NOT NULL REFERENCES accounts (id),
  recipient TEXT NOT NULL,
  header TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (release_id, account_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX grants_account ON grants (account_id, release_id);
`;
