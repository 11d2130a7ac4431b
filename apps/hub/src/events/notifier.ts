/**
 * @module events/notifier
 * The fan-out signal: `notify()` is called right after a commit that may have
 * inserted events; every subscriber is then woken once. A wake-up carries no
 * data on purpose: listeners read the event log after their own cursor, so a
 * lost or coalesced signal can delay delivery but never lose or reorder it.
 * In Node this is in-process; on Workers it will be a Durable Object.
 */

export type Listener = () => void;

export interface EventNotifier {
  notify(): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: Listener): () => void;
}

/** In-process notifier. Wake-ups are coalesced to one per macrotask, so a burst of commits costs one read. */
export function createLocalNotifier(): EventNotifier {
  const listeners = new Set<Listener>();
  let scheduled = false;
  const fire = () => {
    scheduled = false;
    for (const l of [...listeners]) {
      try {
        l();
      } catch {
        // A listener's failure is its own; the others must still be woken.
      }
    }
  };
  return {
    notify() {
      if (scheduled) return;
      scheduled = true;
      setTimeout(fire, 0);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
