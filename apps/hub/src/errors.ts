/**
 * @module errors
 * The hub's one error path. Handlers throw `HubError(code, message)`; the
 * app's `onError` turns it, Hono's own HTTPExceptions (malformed JSON, 415)
 * and zod failures into the protocol's ErrorBody with the code's status.
 * Anything else is a bug: logged server-side (message and stack, never
 * request bodies or headers, which may hold secrets) and answered with a
 * generic 500 INTERNAL, never a stack trace.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { errorBody, errorStatus, validationDetails } from '@dme/core/protocol';
import type { ErrorCode } from '@dme/core/protocol';
import type { Logger } from './deps.js';

export class HubError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  /** Extra response headers, e.g. `Retry-After` or `WWW-Authenticate`. */
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message: string, opts: { details?: Record<string, unknown>; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'HubError';
    this.code = code;
    this.details = opts.details;
    this.headers = opts.headers;
  }

  get status(): number {
    return errorStatus(this.code);
  }
}

export function errorResponse(c: Context, code: ErrorCode, message: string, details?: Record<string, unknown>): Response {
  return c.json(errorBody(code, message, details), errorStatus(code) as ContentfulStatusCode);
}

/** Status of a Hono HTTPException to our closest code. */
const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  410: 'GONE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  416: 'RANGE_NOT_SATISFIABLE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

export function createErrorHandler(logger: Logger | undefined): ErrorHandler {
  return (err, c) => {
    if (err instanceof HubError) {
      const res = errorResponse(c, err.code, err.message, err.details);
      for (const [k, v] of Object.entries(err.headers ?? {})) res.headers.set(k, v);
      return res;
    }
    if (err instanceof HTTPException && err.status < 500) {
      const code = CODE_BY_STATUS[err.status] ?? 'BAD_REQUEST';
      // Hono's messages ("Malformed JSON in request body") are safe to show: they never echo input.
      return errorResponse(c, code, err.message || code.toLowerCase().replaceAll('_', ' '));
    }
    logger?.error('unhandled error', {
      method: c.req.method,
      path: c.req.path,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      stack: err instanceof Error ? err.stack : undefined,
    });
    return errorResponse(c, 'INTERNAL', 'internal error');
  };
}

export const notFoundHandler: NotFoundHandler = (c) => errorResponse(c, 'NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`);

/** zod-openapi `defaultHook`: schema failures become 400 VALIDATION_FAILED with `details.issues`. */
export function validationHook(result: { success: true } | { success: false; error: ZodError; target?: string }, c: Context): Response | undefined {
  if (result.success) return undefined;
  const target = result.target ?? 'request';
  return errorResponse(c, 'VALIDATION_FAILED', `invalid ${target}`, { target, ...validationDetails(result.error) });
}
