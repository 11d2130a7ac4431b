/**
 * @module store/migrations/0002-sessions
 * Login sessions as refresh-token families. Each refresh hands out a new
 * token and marks the old one consumed; presenting a consumed token revokes
 * the family. Only SHA-256 hashes of tokens are stored.
 */
export const sql = `
CREATE TABLE session_families (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  revoke_reason TEXT CHECK (revoke_reason IN ('logout', 'reuse', 'admin'))
) STRICT;
CREATE INDEX session_families_account ON session_families (account_id);

CREATE TABLE refresh_tokens (
  id TEXT PRIMARY KEY,
  family_id TEXT NOT NULL REFERENCES session_families (id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  consumed_at TEXT
) STRICT;
CREATE UNIQUE INDEX refresh_tokens_hash ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
`;
