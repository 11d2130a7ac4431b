/**
 * @module shared/result
 * How every desktop API call answers, whatever the transport (Electron IPC or
 * HTTP to the local agent): `{ ok: true, value }` or `{ ok: false, error }`.
 * Invariant: `error.message` is written for the user (no stack traces, no
 * internal paths beyond what they chose); `error.code` is stable and drawn
 * from ERROR_CODES so the renderer can branch on it.
 */
import { z } from 'zod';

export const ERROR_CODES = [
  /** Arguments failed the contract's schema. */
  'BAD_REQUEST',
  /** No such method (or channel). */
  'UNKNOWN_METHOD',
  /** The call needs a signed-in session. */
  'NOT_SIGNED_IN',
  /** Wrong email/password/API key, or the session expired for good. */
  'AUTH_FAILED',
  /** Signed in, but the account may not do this (e.g. not a producer). */
  'FORBIDDEN',
  'NOT_FOUND',
  /** The action clashes with the current state (e.g. already subscribed). */
  'CONFLICT',
  /** The hub cannot be reached at the configured URL. */
  'HUB_UNREACHABLE',
  /** The hub answered with an error we pass on in words. */
  'HUB_ERROR',
  'RATE_LIMITED',
  /** A statement in the SQL box would write; the library is read-only there. */
  'READ_ONLY',
  /** SQLite refused the query (syntax, unknown table...). */
  'SQL_ERROR',
  /** A file could not be read or written. */
  'FILE_ERROR',
  /** A file's contents could not be parsed/profiled. */
  'BAD_FILE',
  /** Not available in this mode (e.g. a native dialog in browser mode). */
  'UNSUPPORTED',
  /** The OS keychain or key file failed. */
  'KEYCHAIN',
  /** The user cancelled (closed a dialog). */
  'CANCELLED',
  /** Anything else; the message still says what failed. */
  'INTERNAL',
] as const;
export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ApiErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

export type Ok<T> = { ok: true; value: T };
export type Err = { ok: false; error: ApiError };
export type Result<T> = Ok<T> | Err;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function err(code: ErrorCode, message: string): Err {
  return { ok: false, error: { code, message } };
}

/** A typed error the engine throws; transports turn it into an Err. */
export class DesktopError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'DesktopError';
    this.code = code;
  }
}

/** Schema of a Result carrying `value`, for transports that re-validate what they receive. */
export function resultSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), value }), z.object({ ok: z.literal(false), error: ApiErrorSchema })]);
}
