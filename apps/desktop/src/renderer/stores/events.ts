/**
 * Routes pushed events to the stores, and raises in-app notifications for
 * imports in browser mode (Electron's main raises native ones instead).
 * Events are hints: each handler re-reads state through the API where a
 * missed event would otherwise leave a screen stale.
 */
import { arrivalBody } from '../notify-text.js';
import type { DesktopEvent } from '../../shared/events.js';
import { bridge, mode } from '../api.js';
import { describeError } from '../errors.js';
import { useCatalog } from './catalog.js';
import { useData } from './data.js';
import { usePublish } from './publish.js';
import { useRoute } from './route.js';
import type { Screen } from './route.js';
import { useSession } from './session.js';
import { useSubscribers } from './subscribers.js';
import { useSubscriptions } from './subscriptions.js';
import { useSync } from './sync.js';
import { useToasts } from './toasts.js';

export function handleEvent(e: DesktopEvent): void {
  switch (e.type) {
    case 'session':
      useSession.getState().set(e.status);
      return;
    case 'sync.state':
      useSync.setState({ state: e.state });
      return;
    case 'transfer':
      useSync.getState().onTransfer(e);
      return;
    case 'import.progress':
      useSync.getState().onImport(e);
      return;
    case 'imported': {
      useSync.getState().onArrival(e.arrival);
      const data = useData.getState();
      void data.loadTables();
      if (data.table === e.arrival.table) void data.refresh();
      void useSubscriptions.getState().load();
      if (mode === 'browser') {
        const table = e.arrival.table;
        useToasts.getState().push({ kind: 'info', text: arrivalBody(e.arrival), action: { label: 'Open', run: () => openTable(table) } });
      }
      return;
    }
    case 'publish.queue':
      usePublish.getState().setQueue(e.items);
      return;
    case 'subscribers.changed':
      void useSubscribers.getState().load();
      return;
    case 'subscriptions.changed':
      void useSubscriptions.getState().load();
      if (useCatalog.getState().items.length > 0) void useCatalog.getState().search();
      return;
    case 'error':
      useToasts.getState().push({ kind: 'error', text: `${e.context ? `${e.context}: ` : ''}${describeError(e.error)}` }, 12_000);
      return;
    case 'navigate': {
      const { screen, ...params } = e.route;
      if (screen === 'data') openTable(e.route.table);
      else useRoute.getState().go(screen as Screen, Object.fromEntries(Object.entries(params).filter(([, v]) => typeof v === 'string')) as Record<string, string>);
      return;
    }
  }
}

function openTable(table: string) {
  useRoute.getState().go('data', { table });
  void useData.getState().open(table);
}

/** Starts listening; returns the unsubscribe function. */
export function listen(): () => void {
  return bridge.onEvent(handleEvent);
}
