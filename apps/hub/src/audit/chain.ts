/**
 * @module audit/chain
 * The hash chain of the audit log. Each entry's
 *   hash = hex(SHA-256(utf8(prev_hash_hex || canonical(entry))))
 * where canonical(entry) is JSON of {seq, time, actor, action, subject,
 * details} with object keys sorted at every level and no whitespace, and the
 * first entry's prev_hash is 64 zeros. Changing, removing or reordering any
 * entry breaks every later link, which `verifyAuditChain` reports.
 *
 * Web Crypto only, so the same code seals entries on Node and on Workers.
 */
import type { AuditEntry, AuditHead, AuditStore } from '../store/ledger.js';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditDraft = Pick<AuditEntry, 'actor' | 'action' | 'subject' | 'details'>;

/** JSON with sorted keys; `undefined` members are dropped as JSON.stringify does. */
export function canonicalize(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalize(v === undefined ? null : v)).join(',')}]`;
  const keys = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalize((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function entryHash(entry: Omit<AuditEntry, 'hash'>): Promise<string> {
  const { seq, time, actor, action, subject, details } = entry;
  const text = entry.prevHash + canonicalize({ seq, time, actor, action, subject, details });
  return hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

/** Seals a draft as the entry after `head` (null: the log is empty). */
export async function sealEntry(head: AuditHead | null, draft: AuditDraft, time: string): Promise<AuditEntry> {
  const unsealed = { seq: (head?.seq ?? 0) + 1, time, ...draft, prevHash: head?.hash ?? GENESIS_HASH };
  return { ...unsealed, hash: await entryHash(unsealed) };
}

export type ChainVerdict =
  | { ok: true; entries: number; headHash: string }
  /** `seq` is the first entry that does not follow from its predecessor. */
  | { ok: false; entries: number; seq: number; reason: 'gap' | 'prev-hash' | 'hash' };

/** Walks the whole log in pages; memory stays flat whatever its length. */
export async function verifyAuditChain(store: { audit: AuditStore }, pageSize = 500): Promise<ChainVerdict> {
  let prev: AuditHead = { seq: 0, hash: GENESIS_HASH };
  let entries = 0;
  for (;;) {
    const page = await store.audit.list(prev.seq, pageSize);
    if (page.length === 0) return { ok: true, entries, headHash: prev.hash };
    for (const e of page) {
      if (e.seq !== prev.seq + 1) return { ok: false, entries, seq: prev.seq + 1, reason: 'gap' };
      if (e.prevHash !== prev.hash) return { ok: false, entries, seq: e.seq, reason: 'prev-hash' };
      if ((await entryHash(e)) !== e.hash) return { ok: false, entries, seq: e.seq, reason: 'hash' };
      prev = { seq: e.seq, hash: e.hash };
      entries++;
    }
  }
}
