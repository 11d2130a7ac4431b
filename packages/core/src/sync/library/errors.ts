/**
 * @module sync/library/errors
 * The one error type of the local library. `code` is stable for programs
 * (the sync engine, the CLI's exit codes); the message is for people.
 */
export const LIBRARY_ERROR_CODES = [
  /** The file is not a SQLite database or cannot be opened/written. */
  'LIBRARY_OPEN',
  /** The library was written by a newer DME (its user_version is above ours). */
  'LIBRARY_TOO_NEW',
  /** A dataset's table name, columns or keys are unusable. */
  'LIBRARY_BAD_SCHEMA',
  /** The library has been closed. */
  'LIBRARY_CLOSED',
] as const;
export type LibraryErrorCode = (typeof LIBRARY_ERROR_CODES)[number];

export class LibraryError extends Error {
  override readonly name = 'LibraryError';
  constructor(
    readonly code: LibraryErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isLibraryError(e: unknown): e is LibraryError {
  return e instanceof LibraryError;
}
