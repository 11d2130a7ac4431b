/**
 * Typed errors for the age implementation.
 *
 * Every failure the age code can detect surfaces as an {@link AgeError} with a
 * stable `code`, so callers (CLI, sync engine, hub) branch on the code and never
 * on message text. Messages never contain key material.
 */

export type AgeErrorCode =
  /** A recipient string is not a valid `age1…` X25519 recipient. */
  | 'BAD_RECIPIENT'
  /** An identity string is not a valid `AGE-SECRET-KEY-1…` X25519 identity. */
  | 'BAD_IDENTITY'
  /** The header does not parse, or a stanza addressed to us is malformed. */
  | 'BAD_HEADER'
  /** The header parses but no stanza unwraps with the given identities. */
  | 'NO_MATCH'
  /** A file key was unwrapped but the header MAC does not verify. */
  | 'BAD_HEADER_MAC'
  /** A payload chunk fails authentication or the STREAM framing is wrong. */
  | 'BAD_PAYLOAD'
  /** The input ended before the header, nonce or final chunk was complete. */
  | 'TRUNCATED'
  /** ASCII armor is not the strict PEM encoding age requires. */
  | 'BAD_ARMOR'
  /** An argument of the API itself is wrong (e.g. a file key of the wrong size). */
  | 'BAD_ARGUMENT';

export class AgeError extends Error {
  readonly code: AgeErrorCode;

  constructor(code: AgeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgeError';
    this.code = code;
  }
}

export function isAgeError(e: unknown, code?: AgeErrorCode): e is AgeError {
  return e instanceof AgeError && (code === undefined || e.code === code);
}
