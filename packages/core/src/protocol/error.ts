/**
 * @module protocol/error
 * The one error shape of the API, `{ "error": { code, message, details? } }`,
 * and the closed set of codes with their HTTP status as data. Clients branch
 * on `code` (stable), never on `message` (human text, may change). A response
 * never carries a stack trace.
 *
 * VALIDATION_FAILED is 400, not 422: a request body or query that fails its
 * schema is a bad request; `details.issues` lists what failed. 422 is kept
 * for INTEGRITY_FAILED, where the request is well formed but its content
 * (size, checksum, signature) does not match what was promised.
 */
import { z } from 'zod';

export const ERROR_STATUS = {
  /** Malformed request: unparsable JSON, wrong content type, bad header. */
  BAD_REQUEST: 400,
  /** Request parsed but failed its schema; details.issues says where. */
  VALIDATION_FAILED: 400,
  /** No or invalid credentials (token, API key, password). */
  UNAUTHENTICATED: 401,
  /** Access token expired: refresh and retry. */
  TOKEN_EXPIRED: 401,
  /** Password accepted; a TOTP code is required to finish login. */
  MFA_REQUIRED: 401,
  /** Authenticated but not allowed (role, ownership, feature flag, suspended). */
  FORBIDDEN: 403,
  /** The account's tier does not allow this (subscription count, webhooks, history). */
  TIER_LIMIT: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  /** Unique constraint: slug or email taken, release already completed. */
  CONFLICT: 409,
  /** Action not allowed from the resource's current state (e.g. approve a cancelled subscription). */
  INVALID_STATE: 409,
  /** A signed URL or upload session has expired. */
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  /** Uploaded bytes, checksum or manifest signature do not match the declaration. */
  INTEGRITY_FAILED: 422,
  /** Per-second rate limit; Retry-After says when to retry. */
  RATE_LIMITED: 429,
  /** Monthly call or download quota of the tier used up; Retry-After gives the reset. */
  QUOTA_EXCEEDED: 429,
  INTERNAL: 500,
  /** A dependency (blob store, database) is unavailable; retry later. */
  UNAVAILABLE: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];
export const ErrorCodeSchema = z.enum(ERROR_CODES);

export const ErrorBodySchema = z.object({
  error: z.object({
    code: ErrorCodeSchema,
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** HTTP status for a code. */
export function errorStatus(code: ErrorCode): number {
  return ERROR_STATUS[code];
}

export function errorBody(code: ErrorCode, message: string, details?: Record<string, unknown>): ErrorBody {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

/** One schema issue as reported in `details.issues` of VALIDATION_FAILED. */
export const ValidationIssueSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});
export type ValidationIssue = z.infer<typeof ValidationIssueSchema>;

/** Turns a zod error into VALIDATION_FAILED details (no input values echoed). */
export function validationDetails(error: z.ZodError): { issues: ValidationIssue[] } {
  return {
    issues: error.issues.map((i) => ({
      path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
      message: i.message,
    })),
  };
}
