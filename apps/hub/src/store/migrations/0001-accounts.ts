/**
 * @module store/migrations/0001-accounts
 * Accounts and their feature flags. Emails are stored lowercased, so the
 * unique index is the case-insensitive uniqueness rule.
 */
export const sql = `
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  display_name TEXT NOT NULL,
  organization TEXT,
  tier TEXT NOT NULL DEFAULT 'STARTER' CHECK (tier IN ('STARTER', 'PROFESSIONAL', 'ENTERPRISE')),
  status TEXT NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'SUSPENDED')),
  age_recipient TEXT,
  signing_public_key TEXT,
  keys_updated_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX accounts_email ON accounts (email);

CREATE TABLE account_features (
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  feature TEXT NOT NULL CHECK (feature IN ('DATA_PRODUCER', 'DATA_CONSUMER', 'ADMIN')),
  enabled_at TEXT NOT NULL,
  PRIMARY KEY (account_id, feature)
) STRICT, WITHOUT ROWID;
CREATE INDEX account_features_feature ON account_features (feature);
`;
