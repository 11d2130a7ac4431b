/**
 * @module preload
 * The one object the sandboxed renderer gets: `window.dme`, a DesktopBridge
 * (call + onEvent) that `satisfies` the shared contract. A sandboxed preload
 * can require only `electron`, so the method list is written out here; the
 * compiler checks it against the contract in both directions, and a test
 * checks the runtime list. Unknown methods are refused before anything is
 * sent; raw ipcRenderer never reaches the page.
 */
import type { ArgsIn, DesktopBridge, DesktopMethod, ValueOf } from '../shared/contract.js' with { 'resolution-mode': 'import' };
import type { DesktopEvent } from '../shared/events.js' with { 'resolution-mode': 'import' };
import type { Result } from '../shared/result.js' with { 'resolution-mode': 'import' };
// A sandboxed preload is CommonJS and may require only 'electron': `import =` is how TypeScript spells that.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
import electron = require('electron');

const METHOD_NAMES = [
  'app.info',
  'session.status',
  'session.signIn',
  'session.signUp',
  'session.signOut',
  'identity.show',
  'catalog.list',
  'catalog.detail',
  'catalog.subscribe',
  'subscriptions.list',
  'subscriptions.unsubscribe',
  'data.tables',
  'data.page',
  'data.sql',
  'data.exportCsv',
  'files.pick',
  'publish.datasets',
  'publish.createDataset',
  'publish.files',
  'publish.history',
  'publish.queue',
  'publish.retry',
  'publish.clearFinished',
  'publish.setWatchFolder',
  'subscribers.list',
  'subscribers.approve',
  'subscribers.reject',
  'subscribers.suspend',
  'subscribers.reinstate',
  'settings.get',
  'settings.set',
  'settings.webhookGet',
  'settings.webhookSet',
  'sync.state',
  'sync.arrivals',
  'sync.now',
] as const satisfies readonly DesktopMethod[];

// Compile-time proof that no contract method is missing from the list above.
type Missing = Exclude<DesktopMethod, (typeof METHOD_NAMES)[number]>;
const complete: [Missing] extends [never] ? true : Missing = true;
void complete;

const known = new Set<string>(METHOD_NAMES);
const EVENT_CHANNEL = 'dme:event';

const bridge = {
  async call<M extends DesktopMethod>(method: M, args: ArgsIn<M>): Promise<Result<ValueOf<M>>> {
    if (typeof method !== 'string' || !known.has(method)) {
      return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `There is no method called ${String(method).slice(0, 80)}.` } };
    }
    return (await electron.ipcRenderer.invoke(`dme:${method}`, args)) as Result<ValueOf<M>>;
  },
  onEvent(listener: (event: DesktopEvent) => void): () => void {
    // Only the payload crosses: the IpcRendererEvent (with its sender) stays here.
    const handler = (_event: unknown, payload: DesktopEvent) => listener(payload);
    electron.ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      electron.ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  },
} satisfies DesktopBridge;

electron.contextBridge.exposeInMainWorld('dme', bridge);
