/** The signed-in session: who, which hub, which keys. Updated by calls and by `session` events. */
import { create } from 'zustand';
import type { ArgsIn } from '../../shared/contract.js';
import type { SessionStatus } from '../../shared/models.js';
import { call } from '../api.js';
import { describeError } from '../errors.js';

interface SessionState {
  status: SessionStatus | null;
  loading: boolean;
  busy: boolean;
  error: string | null;
  load(): Promise<void>;
  signIn(args: ArgsIn<'session.signIn'>): Promise<boolean>;
  signUp(args: ArgsIn<'session.signUp'>): Promise<boolean>;
  signOut(): Promise<void>;
  set(status: SessionStatus): void;
}

export const useSession = create<SessionState>((set) => {
  async function run(fn: () => Promise<SessionStatus>): Promise<boolean> {
    set({ busy: true, error: null });
    try {
      set({ status: await fn(), busy: false });
      return true;
    } catch (e) {
      set({ busy: false, error: describeError(e) });
      return false;
    }
  }
  return {
    status: null,
    loading: true,
    busy: false,
    error: null,
    async load() {
      try {
        set({ status: await call('session.status', {}), loading: false });
      } catch (e) {
        set({ loading: false, error: describeError(e) });
      }
    },
    signIn: (args) => run(() => call('session.signIn', args)),
    signUp: (args) => run(() => call('session.signUp', args)),
    async signOut() {
      await run(() => call('session.signOut', {}));
    },
    set: (status) => set({ status }),
  };
});
