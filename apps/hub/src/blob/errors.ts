/**
 * @module blob/errors
 * The one error type blob stores and the signed blob routes throw. `code` is
 * stable (clients branch on it); `status` is the HTTP status the routes answer
 * with; `details` travels in the `{ error: { code, message, details } }` body.
 */

export type BlobErrorCode =
  | 'INVALID_KEY'
  | 'INVALID_SIZE'
  | 'INVALID_RANGE'
  | 'NOT_FOUND'
  | 'NO_UPLOAD'
  | 'OFFSET_MISMATCH'
  | 'UPLOAD_BUSY'
  | 'UPLOAD_INCOMPLETE'
  | 'SIZE_MISMATCH'
  | 'BODY_INCOMPLETE'
  | 'RANGE_NOT_SATISFIABLE'
  | 'URL_EXPIRED'
  | 'BAD_SIGNATURE'
  | 'WRONG_METHOD'
  | 'BAD_CONFIG'
  | 'STORE_ERROR';

const STATUS: Record<BlobErrorCode, number> = {
  INVALID_KEY: 400,
  INVALID_SIZE: 400,
  INVALID_RANGE: 400,
  NOT_FOUND: 404,
  NO_UPLOAD: 404,
  OFFSET_MISMATCH: 409,
  UPLOAD_BUSY: 409,
  UPLOAD_INCOMPLETE: 409,
  SIZE_MISMATCH: 400,
  BODY_INCOMPLETE: 400,
  RANGE_NOT_SATISFIABLE: 416,
  URL_EXPIRED: 403,
  BAD_SIGNATURE: 403,
  WRONG_METHOD: 403,
  BAD_CONFIG: 500,
  STORE_ERROR: 502,
};

export class BlobError extends Error {
  override readonly name = 'BlobError';
  readonly status: number;
  constructor(
    readonly code: BlobErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

/**
 * Keys are `<producerId>/<datasetId>/<releaseId>`-like paths chosen by the hub.
 * Each segment is a plain name: no `.`/`..`, no leading dot (keeps `.staging`
 * unreachable), no backslash or absolute path, so a key can never leave the root.
 */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export function assertValidKey(key: string): void {
  const segments = key.split('/');
  if (key.length === 0 || key.length > 512 || segments.length > 8 || !segments.every((s) => SEGMENT.test(s))) {
    throw new BlobError('INVALID_KEY', `invalid blob key ${JSON.stringify(key.slice(0, 80))}: use 1-8 '/'-separated segments of [A-Za-z0-9._-], no '.' or '..'`);
  }
}
