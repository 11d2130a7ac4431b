/**
 * @module store/sqlite/ledger
 * Audit and events on better-sqlite3 (usage: ./usage.ts), plus `effectsWriter`, which
 * domain transactions call last so their audit/event/usage rows commit with
 * them. The audit insert checks the chain head inside the transaction: a
 * stale seal throws AuditRaceError and rolls the whole change back.
 */
import type { Database } from 'better-sqlite3';
import { writeTx } from './tx.js';
import { AuditRaceError } from '../ledger.js';
import type { AuditEntry, AuditStore, Effects, EventRecord, EventStore } from '../ledger.js';

interface AuditRow {
  seq: number;
  time: string;
  actor: string;
  action: string;
  subject: string;
  details: string;
  prev_hash: string;
  hash: string;
}

const toAudit = (r: AuditRow): AuditEntry => ({
  seq: r.seq,
  time: r.time,
  actor: r.actor,
  action: r.action,
  subject: r.subject,
  details: JSON.parse(r.details) as Record<string, unknown>,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/** Returns `apply(effects)`, to be called inside an open transaction. */
export function effectsWriter(db: Database): (effects: Effects) => void {
  const head = db.prepare<[], { seq: number; hash: string }>(`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`);
  const insertAudit = db.prepare(
    `INSERT INTO audit_log (seq, time, actor, action, subject, details, prev_hash, hash)
     VALUES (@seq, @time, @actor, @action, @subject, @details, @prevHash, @hash)`,
  );
  const insertEvent = db.prepare(
    `INSERT INTO events (type, dataset_id, account_id, payload, created_at) VALUES (@type, @datasetId, @accountId, @payload, @createdAt)`,
  );
  const insertUsage = db.prepare(
    `INSERT INTO usage (account_id, kind, dataset_id, release_id, bytes, sha256, created_at)
     VALUES (@accountId, @kind, @datasetId, @releaseId, @bytes, @sha256, @createdAt)`,
  );
  return (effects) => {
    const a = effects.audit;
    const h = head.get();
    const expectedSeq = h ? h.seq + 1 : 1;
    if (a.seq !== expectedSeq || (h !== undefined && h.hash !== a.prevHash)) throw new AuditRaceError();
    insertAudit.run({ ...a, details: JSON.stringify(a.details) });
    for (const e of effects.events ?? []) insertEvent.run({ ...e, payload: JSON.stringify(e.payload) });
    for (const u of effects.usage ?? []) insertUsage.run(u);
  };
}

export function sqliteAudit(db: Database): AuditStore {
  const head = db.prepare<[], { seq: number; hash: string }>(`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`);
  const list = db.prepare<[number, number], AuditRow>(`SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`);
  const apply = effectsWriter(db);
  const appendTx = writeTx(db, (entry: AuditEntry) => apply({ audit: entry }));
  return {
    head: async () => head.get() ?? null,
    append: async (entry) => appendTx(entry),
    list: async (afterSeq, limit) => list.all(afterSeq, limit).map(toAudit),
  };
}

interface EventRow {
  id: number;
  type: string;
  dataset_id: string | null;
  account_id: string | null;
  payload: string;
  created_at: string;
}

/** Events with id > afterId, ascending: the one read of the log, shared by the stream and webhook dispatch. */
export function eventsAfter(db: Database): (afterId: number, limit: number) => EventRecord[] {
  const list = db.prepare<[number, number], EventRow>(`SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?`);
  return (afterId, limit) =>
    list.all(afterId, limit).map((r) => ({
      id: r.id,
      type: r.type,
      datasetId: r.dataset_id,
      accountId: r.account_id,
      payload: JSON.parse(r.payload) as Record<string, unknown>,
      createdAt: r.created_at,
    }));
}

export function sqliteEvents(db: Database): EventStore {
  const list = eventsAfter(db);
  return {
    list: async (afterId, limit) => list(afterId, limit),
  };
}
