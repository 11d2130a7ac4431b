/**
 * @module main/tray
 * The tray icon's menu: sync state on top, the latest arrivals (click opens
 * that dataset), then Open and Quit. Rebuilt from the engine's events; the
 * template is built by a pure function so it can be checked without a tray.
 */
import type { Arrival, SyncState } from '../shared/models.js';
import type { Route } from '../shared/events.js';
import type { MenuItemOptions } from './electron-api.js';

const STATUS_WORDS: Record<SyncState['status'], string> = {
  'signed-out': 'Signed out',
  stopped: 'Sync stopped',
  'receive-off': 'Publishing only: nothing to receive',
  connecting: 'Connecting to the hub…',
  idle: 'Up to date',
  syncing: 'Syncing…',
  offline: 'Offline, will retry',
  error: 'Sync problem',
};

export function syncLabel(state: SyncState): string {
  const base = STATUS_WORDS[state.status];
  if (state.status === 'syncing' && state.current) {
    const c = state.current;
    if (c.phase === 'download' && c.bytesTotal > 0) return `Downloading ${Math.floor((100 * c.bytesDone) / c.bytesTotal)}%`;
    if (c.phase === 'import') return `Importing ${c.rows.toLocaleString('en-US')} rows…`;
  }
  if (state.status === 'error' && state.lastError) return `${base}: ${state.lastError.slice(0, 60)}`;
  return base;
}

export function trayTemplate(state: SyncState, arrivals: Arrival[], actions: { open(route?: Route): void; quit(): void }): MenuItemOptions[] {
  const items: MenuItemOptions[] = [{ label: syncLabel(state), enabled: false }, { type: 'separator' }];
  if (arrivals.length === 0) items.push({ label: 'No data received yet', enabled: false });
  for (const a of arrivals.slice(0, 5)) {
    items.push({ label: `${a.datasetName}: ${a.rows.toLocaleString('en-US')} records (${a.producer})`, click: () => actions.open({ screen: 'data', table: a.table, datasetId: a.datasetId }) });
  }
  items.push({ type: 'separator' }, { label: 'Open DME', click: () => actions.open() }, { label: 'Quit', click: () => actions.quit() });
  return items;
}
