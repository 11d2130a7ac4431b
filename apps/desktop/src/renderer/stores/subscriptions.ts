/** My subscriptions as a consumer, with what the local library holds for each. */
import { create } from 'zustand';
import type { SubscriptionView } from '../../shared/models.js';
import { call } from '../api.js';
import { describeError } from '../errors.js';

interface SubscriptionsState {
  items: SubscriptionView[];
  loaded: boolean;
  error: string | null;
  load(): Promise<void>;
  unsubscribe(id: string): Promise<void>;
}

export const useSubscriptions = create<SubscriptionsState>((set, get) => ({
  items: [],
  loaded: false,
  error: null,
  async load() {
    try {
      set({ items: (await call('subscriptions.list', {})).items, loaded: true, error: null });
    } catch (e) {
      set({ loaded: true, error: describeError(e) });
    }
  },
  async unsubscribe(id) {
    try {
      const updated = await call('subscriptions.unsubscribe', { subscriptionId: id });
      set({ items: get().items.map((s) => (s.id === id ? updated : s)), error: null });
    } catch (e) {
      set({ error: describeError(e) });
    }
  },
}));
