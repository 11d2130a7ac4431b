/**
 * Turns an error from the desktop API (a stable `code` plus a message) into a
 * sentence a user understands. The engine's messages are already meant for
 * people, so most codes keep them and only add context; a few codes whose
 * cause is always the same get fixed words.
 */
import type { ApiError } from '../shared/result.js';

/** Fixed words: the engine's message adds nothing the user can act on. */
const WORDS: Partial<Record<string, string>> = {
  NOT_SIGNED_IN: 'Please sign in first.',
  AUTH_FAILED: 'Those credentials were not accepted by the hub. Check the email and password (or API key) and try again.',
  RATE_LIMITED: 'The hub is busy for your account right now. Try again in a moment.',
  UNKNOWN_METHOD: 'This version of the app and its background service do not match. Restart DME.',
  AGENT_UNREACHABLE: 'The DME background service is not answering. Is `npm start` still running?',
  BAD_TOKEN: 'This page was opened without its access link. Open the address printed by `npm start`.',
};

/** Context put before the engine's message. */
const PREFIX: Partial<Record<string, string>> = {
  HUB_UNREACHABLE: 'The hub cannot be reached. Check the hub address and your connection.',
  READ_ONLY: 'Only reading queries can run here; DME keeps the library up to date itself.',
  SQL_ERROR: 'The query did not run:',
  BAD_REQUEST: 'Some values are not valid:',
  BAD_FILE: 'DME could not read this file:',
  FILE_ERROR: 'A file could not be read or written:',
  KEYCHAIN: 'Your keys could not be stored or read:',
  FORBIDDEN: 'Your account may not do that:',
};

export function describeError(e: ApiError | { code: string; message: string } | Error | string | unknown): string {
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string') {
    const { code, message } = e as { code: string; message?: string };
    const words = WORDS[code];
    if (words) return words;
    const prefix = PREFIX[code];
    if (prefix) return message ? `${prefix} ${message}` : prefix.replace(/:$/, '.');
    return message || 'Something went wrong.';
  }
  if (e instanceof Error) return e.message;
  return 'Something went wrong.';
}
