/** Settings, the webhook, this machine's keys and the app's own info. */
import { create } from 'zustand';
import type { ArgsIn } from '../../shared/contract.js';
import type { AppInfo, IdentityView, Settings, WebhookView } from '../../shared/models.js';
import { call } from '../api.js';
import { describeError } from '../errors.js';

interface SettingsState {
  settings: Settings | null;
  identity: IdentityView | null;
  webhook: WebhookView | null;
  info: AppInfo | null;
  error: string | null;
  saved: string | null;
  load(): Promise<void>;
  save(patch: ArgsIn<'settings.set'>): Promise<void>;
  setWebhook(url: string | null): Promise<void>;
}

export const useSettings = create<SettingsState>((set) => ({
  settings: null,
  identity: null,
  webhook: null,
  info: null,
  error: null,
  saved: null,
  async load() {
    // Each part loads on its own: a consumer without webhooks still sees keys and paths.
    const [settings, identity, webhook, info] = await Promise.allSettled([
      call('settings.get', {}),
      call('identity.show', {}),
      call('settings.webhookGet', {}),
      call('app.info', {}),
    ]);
    set({
      settings: settings.status === 'fulfilled' ? settings.value : null,
      identity: identity.status === 'fulfilled' ? identity.value : null,
      webhook: webhook.status === 'fulfilled' ? webhook.value : null,
      info: info.status === 'fulfilled' ? info.value : null,
      error: settings.status === 'rejected' ? describeError(settings.reason) : null,
    });
  },
  async save(patch) {
    set({ error: null, saved: null });
    try {
      set({ settings: await call('settings.set', patch), saved: 'Settings saved.' });
    } catch (e) {
      set({ error: describeError(e) });
    }
  },
  async setWebhook(url) {
    set({ error: null, saved: null });
    try {
      const webhook = await call('settings.webhookSet', { url });
      set({ webhook, saved: url ? 'Webhook saved.' : 'Webhook removed.' });
    } catch (e) {
      set({ error: describeError(e) });
    }
  },
}));
