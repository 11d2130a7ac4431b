/** The shell: sign-in gate, navigation, the current screen, sync status and toasts. */
import { useEffect } from 'react';
import type { ReactNode } from 'react';
import { Toasts } from './components/Toasts.js';
import { SyncLine } from './components/SyncLine.js';
import { Catalog } from './screens/Catalog.js';
import { Data } from './screens/Data.js';
import { Publish } from './screens/Publish.js';
import { SettingsScreen } from './screens/Settings.js';
import { SignIn } from './screens/SignIn.js';
import { Subscribers } from './screens/Subscribers.js';
import { Subscriptions } from './screens/Subscriptions.js';
import { listen } from './stores/events.js';
import { formatHash, useRoute } from './stores/route.js';
import type { Screen } from './stores/route.js';
import { useSession } from './stores/session.js';
import { useSync } from './stores/sync.js';

const SCREENS: Record<Screen, { title: string; view: () => ReactNode; who?: 'producer' | 'consumer' }> = {
  catalog: { title: 'Catalog', view: () => <Catalog /> },
  subscriptions: { title: 'Subscriptions', view: () => <Subscriptions />, who: 'consumer' },
  data: { title: 'Data', view: () => <Data />, who: 'consumer' },
  publish: { title: 'Publish', view: () => <Publish />, who: 'producer' },
  subscribers: { title: 'Subscribers', view: () => <Subscribers />, who: 'producer' },
  settings: { title: 'Settings', view: () => <SettingsScreen /> },
};

export function App() {
  const { status, loading, load } = useSession();
  const screen = useRoute((r) => r.screen);
  const go = useRoute((r) => r.go);
  const signedIn = Boolean(status?.signedIn);

  useEffect(() => {
    void load();
    return listen();
  }, [load]);
  useEffect(() => {
    if (signedIn) void useSync.getState().load();
  }, [signedIn]);
  useEffect(() => {
    document.title = `${SCREENS[screen].title} · DME`;
  }, [screen]);

  if (loading) return <p className="muted" style={{ padding: 24 }}>Starting…</p>;
  if (!signedIn) return <><SignIn /><Toasts /></>;
  const account = status?.account;
  const visible = (Object.keys(SCREENS) as Screen[]).filter((s) => {
    const who = SCREENS[s].who;
    return !who || !account || (who === 'producer' ? account.producer : account.consumer);
  });

  return (
    <div className="app">
      <nav className="nav" aria-label="Main">
        <div className="brand">DME</div>
        {visible.map((s) => (
          <a key={s} href={formatHash({ screen: s, params: {} })} aria-current={s === screen ? 'page' : undefined} onClick={(e) => { e.preventDefault(); go(s); }}>
            {SCREENS[s].title}
          </a>
        ))}
        <div className="spacer" />
        <SyncLine />
        <div className="who">{account?.displayName ?? account?.email}</div>
      </nav>
      <main>{SCREENS[screen].view()}</main>
      <Toasts />
    </div>
  );
}
