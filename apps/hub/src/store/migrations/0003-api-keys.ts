/**
 * @module store/migrations/0003-api-keys
 * Scoped API keys. The key's id travels inside the key (`dme_<id>_<secret>`),
 * so authentication is a primary-key lookup followed by a constant-time
 * comparison of SHA-256 hashes; the secret itself is never stored.
 */
export const sql = `
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  scopes TEXT NOT NULL CHECK (json_valid(scopes)),
  secret_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  last_used_at TEXT,
  revoked_at TEXT
) STRICT;
CREATE INDEX api_keys_account ON api_keys (account_id, created_at);
`;
