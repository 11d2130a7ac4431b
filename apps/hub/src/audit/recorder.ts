/**
 * @module audit/recorder
 * Runs a domain change together with its sealed audit entry. Sealing needs
 * the chain head, and hashing is async (Web Crypto), so the head can move
 * between reading it and committing: the store then throws AuditRaceError,
 * the change rolls back, and we reseal and retry (bounded). Within one
 * process, writes are also queued, so retries only happen across processes.
 */
import type { Clock } from '../deps.js';
import { AuditRaceError } from '../store/ledger.js';
import type { AuditEntry, AuditStore, Effects } from '../store/ledger.js';
import { sealEntry } from './chain.js';
import type { AuditDraft } from './chain.js';

const MAX_ATTEMPTS = 8;

export interface Recorder {
  /**
   * Seals `draft` and calls `apply` with the effects to pass to one store
   * method. `extra` adds events/usage (they are rebuilt per attempt).
   */
  run<T>(draft: AuditDraft, apply: (effects: Effects) => Promise<T>, extra?: Omit<Effects, 'audit'>): Promise<T>;
}

const queues = new WeakMap<object, { tail: Promise<unknown> }>();

export function recorder(store: { audit: AuditStore }, clock: Clock): Recorder {
  let q = queues.get(store);
  if (!q) {
    q = { tail: Promise.resolve() };
    queues.set(store, q);
  }
  const queue = q;
  return {
    run<T>(draft: AuditDraft, apply: (effects: Effects) => Promise<T>, extra: Omit<Effects, 'audit'> = {}): Promise<T> {
      const attempt = async (): Promise<T> => {
        for (let i = 1; ; i++) {
          const audit: AuditEntry = await sealEntry(await store.audit.head(), draft, clock.now().toISOString());
          try {
            return await apply({ ...extra, audit });
          } catch (err) {
            if (!(err instanceof AuditRaceError) || i >= MAX_ATTEMPTS) throw err;
          }
        }
      };
      const result = queue.tail.then(attempt, attempt);
      // The queue must survive a failed change; the caller still sees the failure.
      queue.tail = result.catch(() => undefined);
      return result;
    },
  };
}
