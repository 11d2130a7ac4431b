/**
 * @module store/migrations/0100-datasets
 * Datasets a producer publishes to. Columns the hub filters or sorts on are
 * real columns; the rest of the listing (format, interval, schema, tags …)
 * lives in `details` JSON, validated by the protocol schema on the way in and
 * out, so adding a descriptive field needs no migration. `last_release_*` is
 * denormalised at publish time so catalog pages cost one query.
 */
export const sql = `
CREATE TABLE datasets (
  id TEXT PRIMARY KEY,
  producer_id TEXT NOT NULL REFERENCES accounts (id),
  slug TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  category TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('DRAFT', 'PUBLISHED', 'ARCHIVED', 'SUSPENDED')),
  details TEXT NOT NULL CHECK (json_valid(details)),
  published_at TEXT,
  last_release_id TEXT,
  last_release_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX datasets_producer_slug ON datasets (producer_id, slug);
CREATE INDEX datasets_status ON datasets (status, id);
CREATE INDEX datasets_producer ON datasets (producer_id, id);
`;
