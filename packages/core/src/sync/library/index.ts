/**
 * @module sync/library
 * The consumer's local SQLite library (Node): open it, read its datasets and
 * import history. Loading data into it is sync/import's job.
 */
export { Library, openLibrary, type OpenLibraryOptions } from './library.js';
export { LibraryError, isLibraryError, LIBRARY_ERROR_CODES, type LibraryErrorCode } from './errors.js';
export type { DatasetRecord, LibraryDataset, ReleaseInfo, ReleaseRecord } from './metadata.js';
export { SQLITE_TYPES, createTableSql, type ColumnDef } from './schema.js';
export { tableNameForSlug, quoteIdent, STAGING_PREFIX } from './naming.js';
export { LATEST_VERSION, MIGRATIONS, type Migration } from './migrations/index.js';
