/**
 * @module store/migrations/0105-audit
 * The hash-chained audit log. `seq` is assigned by the writer (head + 1), so
 * two writers racing for the same link collide on the primary key and one of
 * them retries: the chain never forks. Triggers make the table append-only
 * for ordinary SQL; a tampered copy is still caught by verifyAuditChain.
 */
export const sql = `
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY CHECK (seq >= 1),
  time TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  details TEXT NOT NULL CHECK (json_valid(details)),
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
`;
