/** The producer's subscribers: requests to decide, active ones to suspend or reinstate. */
import { create } from 'zustand';
import type { SubscriberView } from '../../shared/models.js';
import { call } from '../api.js';
import { describeError } from '../errors.js';

export type SubscriberAction = 'approve' | 'reject' | 'suspend' | 'reinstate';

interface SubscribersState {
  items: SubscriberView[];
  loaded: boolean;
  busyId: string | null;
  error: string | null;
  note: string | null;
  load(): Promise<void>;
  act(id: string, action: SubscriberAction, reason?: string): Promise<void>;
}

export const useSubscribers = create<SubscribersState>((set, get) => ({
  items: [],
  loaded: false,
  busyId: null,
  error: null,
  note: null,
  async load() {
    try {
      set({ items: (await call('subscribers.list', {})).items, loaded: true, error: null });
    } catch (e) {
      set({ loaded: true, error: describeError(e) });
    }
  },
  async act(id, action, reason) {
    set({ busyId: id, error: null, note: null });
    try {
      const args = { subscriptionId: id, ...(reason ? { reason } : {}) };
      const updated = await call(`subscribers.${action}`, args);
      const who = updated.consumerName ?? updated.consumerId;
      const grants = updated.grantsWritten ? ` and shared ${updated.grantsWritten} earlier release${updated.grantsWritten === 1 ? '' : 's'}` : '';
      const verb = { approve: 'Approved', reject: 'Rejected', suspend: 'Suspended', reinstate: 'Reinstated' }[action];
      set({ busyId: null, items: get().items.map((s) => (s.id === id ? updated : s)), note: `${verb} ${who} for ${updated.datasetName}${grants}.` });
    } catch (e) {
      set({ busyId: null, error: describeError(e) });
    }
  },
}));
