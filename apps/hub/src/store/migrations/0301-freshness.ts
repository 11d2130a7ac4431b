/**
 * @module store/migrations/0301-freshness
 * The freshness checker's memory per dataset: whether it is in a late
 * episode, how many missed intervals were already announced (DATA_LATE is
 * emitted once per missed interval), and which release the episode started
 * after (a different last release means the data resumed). Rows change only
 * together with the events they cause.
 */
export const sql = `
CREATE TABLE dataset_freshness (
  dataset_id TEXT PRIMARY KEY REFERENCES datasets (id),
  state TEXT NOT NULL CHECK (state IN ('ON_TIME', 'LATE')),
  late_since TEXT,
  missed_intervals INTEGER NOT NULL DEFAULT 0 CHECK (missed_intervals >= 0),
  last_release_at TEXT,
  updated_at TEXT NOT NULL
) STRICT;
`;
