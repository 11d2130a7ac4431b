/**
 * @module sync/import
 * Loading a decrypted release into the local library (Node).
 *
 *   const lib = openLibrary('/path/library.db');
 *   if (!lib.hasRelease(r.id)) await importRelease(lib, { dataset, release, source });
 */
export { importRelease, type ImportProgress, type ImportRequest, type ImportResult } from './import.js';
export { ImportError, isImportError, IMPORT_ERROR_CODES, type ImportErrorCode, type ImportErrorLocation } from './errors.js';
export { converterFor, INVALID, type SqlValue } from './convert.js';
