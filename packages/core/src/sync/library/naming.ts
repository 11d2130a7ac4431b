/**
 * @module sync/library/naming
 * Table names for datasets. A dataset's table is named from its slug so that
 * other programs can find it (`phone-numbers-us` → `phone_numbers_us`).
 * Invariant: a table name is lowercase [a-z0-9_], starts with a letter,
 * never starts with `dme_` or `sqlite_` (ours and SQLite's), and is at most
 * MAX_TABLE_NAME characters. We still quote every identifier we emit.
 */
export const MAX_TABLE_NAME = 64;
/** Prefix of the table a snapshot loads into before it replaces the real one. */
export const STAGING_PREFIX = 'dme_staging_';
const RESERVED_PREFIXES = ['dme_', 'sqlite_'];

/** The preferred table name for a slug (or any text). */
export function tableNameForSlug(slug: string): string {
  let name = slug
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
  if (name === '') name = 'dataset';
  if (/^[0-9]/.test(name) || RESERVED_PREFIXES.some((p) => name.startsWith(p))) name = `ds_${name}`;
  return name.slice(0, MAX_TABLE_NAME).replace(/_$/, '');
}

/**
 * `preferred`, or `preferred_2`, `_3`… whichever `taken` does not hold
 * (case-insensitively, as SQLite compares names).
 */
export function uniqueTableName(preferred: string, taken: (name: string) => boolean): string {
  if (!taken(preferred)) return preferred;
  for (let i = 2; ; i++) {
    const suffix = `_${i}`;
    const candidate = preferred.slice(0, MAX_TABLE_NAME - suffix.length) + suffix;
    if (!taken(candidate)) return candidate;
  }
}

/** A SQLite identifier in double quotes, embedded quotes doubled. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function stagingName(table: string): string {
  return STAGING_PREFIX + table;
}
