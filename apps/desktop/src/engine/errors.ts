/**
 * @module engine/errors
 * Turns anything the engine's steps throw into the contract's `{ code,
 * message }` in words a user understands. Invariant: no stack trace and no
 * secret (token, key) ever reaches the message; unknown failures say what
 * failed in general terms and are logged by the caller.
 */
import { ClientError, HubError } from '@dme/core/client';
import { IdentityError } from '@dme/core/identity';
import { LibraryError } from '@dme/core/sync/library';
import { DesktopError, type ApiError, type ErrorCode } from '../shared/result.js';

const HUB_STATUS: Record<number, ErrorCode> = { 400: 'BAD_REQUEST', 401: 'AUTH_FAILED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 422: 'BAD_REQUEST', 429: 'RATE_LIMITED' };

const CLIENT_CODES: Record<string, ErrorCode> = {
  NOT_LOGGED_IN: 'NOT_SIGNED_IN',
  KEY_MISMATCH: 'CONFLICT',
  NOT_FOUND: 'NOT_FOUND',
  VERIFY_FAILED: 'BAD_FILE',
  BAD_RESPONSE: 'HUB_ERROR',
  BAD_INPUT: 'BAD_FILE',
};

function sentence(s: string): string {
  const t = s.trim();
  return t.length === 0 ? t : t[0]!.toUpperCase() + t.slice(1);
}

function fromHub(e: HubError): ApiError {
  if (e.status === 0) return { code: 'HUB_UNREACHABLE', message: 'The hub cannot be reached. Check the hub URL in Settings and your network.' };
  if (e.status === 401) return { code: 'AUTH_FAILED', message: sentence(e.message || 'The hub did not accept your credentials.') };
  if (e.status === 429) return { code: 'RATE_LIMITED', message: 'The hub is busy with your requests; try again in a moment.' };
  return { code: HUB_STATUS[e.status] ?? 'HUB_ERROR', message: sentence(e.message || `The hub answered with status ${e.status}.`) };
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof DesktopError) return { code: e.code, message: e.message };
  if (e instanceof HubError) return fromHub(e);
  if (e instanceof ClientError) return { code: CLIENT_CODES[e.code] ?? 'INTERNAL', message: sentence(e.message) };
  if (e instanceof IdentityError) return { code: 'KEYCHAIN', message: sentence(e.message) };
  if (e instanceof LibraryError) return { code: 'SQL_ERROR', message: sentence(e.message) };
  const errno = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof errno === 'string') {
    if (errno === 'ENOENT') return { code: 'FILE_ERROR', message: 'The file or folder does not exist.' };
    if (errno === 'EACCES' || errno === 'EPERM') return { code: 'FILE_ERROR', message: 'Permission denied on the file or folder.' };
    if (errno === 'ECONNREFUSED' || errno === 'ENOTFOUND') return { code: 'HUB_UNREACHABLE', message: 'The hub cannot be reached. Check the hub URL in Settings.' };
    if (errno.startsWith('SQLITE_')) return { code: 'SQL_ERROR', message: sentence((e as Error).message) };
  }
  // Web fetch reports network failures as a bare TypeError('fetch failed').
  if (e instanceof TypeError && /fetch failed/i.test(e.message)) return { code: 'HUB_UNREACHABLE', message: 'The hub cannot be reached. Check the hub URL in Settings.' };
  if (e instanceof Error && typeof (e as { code?: unknown }).code === 'string') return { code: 'INTERNAL', message: sentence(e.message) };
  return { code: 'INTERNAL', message: 'Something went wrong inside the app; the details are in its log.' };
}
