/**
 * @module store/migrations/0300-quotas
 * Monthly API-call counters per account. Rows are only ever incremented by
 * deltas (`calls = calls + ?`), batched by the hub at most once a second.
 */
export const sql = `
CREATE TABLE api_call_counters (
  account_id TEXT NOT NULL,
  month TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
  calls INTEGER NOT NULL CHECK (calls >= 0),
  PRIMARY KEY (account_id, month)
) STRICT, WITHOUT ROWID;
`;
