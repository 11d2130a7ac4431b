/**
 * @module exchange/blob-errors
 * BlobStore failures as API errors. Blob stores throw BlobError with their own
 * codes; a route must never let one escape as a 500, so every blob call in the
 * exchange routes goes through `blobCall`.
 */
import type { ErrorCode } from '@dme/core/protocol';
import { BlobError } from '../blob/errors.js';
import type { BlobErrorCode } from '../blob/errors.js';
import { HubError } from '../errors.js';

// Partial: codes the blob store adds later fall back to UNAVAILABLE rather than breaking the build.
const CODES: Partial<Record<BlobErrorCode, ErrorCode>> = {
  BODY_INCOMPLETE: 'BAD_REQUEST',
  INVALID_KEY: 'BAD_REQUEST',
  INVALID_SIZE: 'VALIDATION_FAILED',
  INVALID_RANGE: 'BAD_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  NO_UPLOAD: 'INVALID_STATE',
  OFFSET_MISMATCH: 'CONFLICT',
  UPLOAD_BUSY: 'CONFLICT',
  UPLOAD_INCOMPLETE: 'INTEGRITY_FAILED',
  SIZE_MISMATCH: 'INTEGRITY_FAILED',
  RANGE_NOT_SATISFIABLE: 'RANGE_NOT_SATISFIABLE',
  URL_EXPIRED: 'GONE',
  BAD_SIGNATURE: 'FORBIDDEN',
  WRONG_METHOD: 'FORBIDDEN',
  BAD_CONFIG: 'UNAVAILABLE',
  STORE_ERROR: 'UNAVAILABLE',
};

export function toHubError(err: unknown): unknown {
  if (!(err instanceof BlobError)) return err;
  return new HubError(CODES[err.code] ?? 'UNAVAILABLE', err.message, { details: { blob: err.code, ...err.details } });
}

export async function blobCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toHubError(err);
  }
}
