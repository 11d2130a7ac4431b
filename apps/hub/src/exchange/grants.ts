/**
 * @module exchange/grants
 * Validation of key grants a producer client submits (at publish, with an
 * approval, or fulfilling pending grants). A grant is accepted only if its
 * header is a well-formed single-recipient age header and its recipient is
 * the one the account registered: a grant to a stale key would be a file no
 * one can open.
 */
import type { AccountRecord } from '../store/types.js';
import type { GrantRecord } from '../store/releases.js';
import { HubError } from '../errors.js';
import { AgeHeaderError, checkGrantHeader } from './age-header.js';

export interface GrantInput {
  recipientAccountId: string;
  recipient: string;
  header: string;
}

function invalid(path: (string | number)[], message: string): HubError {
  return new HubError('VALIDATION_FAILED', `invalid grant: ${message}`, { details: { issues: [{ path, message }] } });
}

/** Throws VALIDATION_FAILED naming the first bad grant; `path` prefixes issue paths (e.g. ['grants']). */
export function checkGrant(g: GrantInput, account: AccountRecord | null, path: (string | number)[]): void {
  try {
    checkGrantHeader(g.header);
  } catch (err) {
    if (err instanceof AgeHeaderError) throw invalid([...path, 'header'], err.message);
    throw err;
  }
  if (!account) throw invalid([...path, 'recipientAccountId'], 'no such account');
  if (account.ageRecipient === null) throw invalid([...path, 'recipientAccountId'], 'the account has not registered an age recipient');
  if (account.ageRecipient !== g.recipient) throw invalid([...path, 'recipient'], "recipient is not the account's registered age recipient");
}

export function grantRecord(releaseId: string, g: GrantInput, now: string): GrantRecord {
  return { releaseId, accountId: g.recipientAccountId, recipient: g.recipient, header: g.header, createdAt: now };
}

/** Loads each distinct account once. */
export async function loadAccounts(getById: (id: string) => Promise<AccountRecord | null>, ids: string[]): Promise<Map<string, AccountRecord | null>> {
  const out = new Map<string, AccountRecord | null>();
  for (const id of new Set(ids)) out.set(id, await getById(id));
  return out;
}
