/**
 * @module sync/engine/errors
 * The sync engine's own error type. Failures of the steps it drives keep
 * their types (HubError, TransferError, ClientError VERIFY_FAILED,
 * ImportError, LibraryError); `describeFailure` turns any of them into the
 * stable code and one-line message the engine reports and logs.
 */
import { ClientError } from '../../client/errors.js';
import { HubError } from '../../sdk/client.js';
import { EventStreamError } from '../../sdk/events.js';
import { TransferError } from '../../sdk/transfer.js';
import { ImportError } from '../import/errors.js';
import { LibraryError } from '../library/errors.js';

export const SYNC_ERROR_CODES = [
  /** Another sync engine holds this state directory. */
  'SYNC_LOCKED',
  /** The state directory cannot be created or written. */
  'SYNC_STATE',
  /** The engine was started twice, or used after stop(). */
  'SYNC_STATE_MACHINE',
  /** The hub refused the event stream (credentials revoked, role missing). */
  'SYNC_STREAM_REFUSED',
] as const;
export type SyncErrorCode = (typeof SYNC_ERROR_CODES)[number];

export class SyncError extends Error {
  override readonly name = 'SyncError';
  constructor(
    readonly code: SyncErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface FailureInfo {
  /** A stable code: the failing layer's own code (VERIFY_FAILED, IMPORT_FORMAT, HTTP_ERROR, FORBIDDEN…). */
  code: string;
  message: string;
  /** false when trying again cannot help (the subscription ended, the release is gone). */
  retryable: boolean;
}

/** What a failed release attempt means, in words and in a code. */
export function describeFailure(err: unknown): FailureInfo {
  if (err instanceof HubError) {
    // 403: my subscription is no longer active; 404: the release is gone. Neither heals by waiting.
    const permanent = err.status === 403 || err.status === 404;
    return { code: err.code, message: `the hub answered: ${err.message}`, retryable: !permanent };
  }
  if (err instanceof ClientError) return { code: err.code, message: err.message, retryable: true };
  if (err instanceof TransferError) return { code: `TRANSFER_${err.code}`, message: `download failed: ${err.message}`, retryable: true };
  if (err instanceof ImportError) return { code: err.code, message: err.message, retryable: true };
  if (err instanceof LibraryError) return { code: err.code, message: err.message, retryable: err.code !== 'LIBRARY_CLOSED' };
  if (err instanceof EventStreamError) return { code: `STREAM_${err.code}`, message: err.message, retryable: false };
  if (err instanceof SyncError) return { code: err.code, message: err.message, retryable: false };
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  return { code: typeof code === 'string' ? code : 'UNEXPECTED', message: e.message || e.name, retryable: true };
}
