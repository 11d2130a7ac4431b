/**
 * @module main/app
 * Wires Electron to the desktop engine: single-instance lock, one sandboxed
 * window with a strict CSP, the IPC channels, the push channel to the
 * window, a native Notification per import (click opens the dataset), the
 * tray, native dialogs and start-at-login. Takes `electron` as a parameter
 * (see electron-api.ts) so the wiring is testable without the binary.
 */
import { IPC_EVENT_CHANNEL } from '../shared/contract.js';
import { arrivalText, type DesktopEvent, type Route } from '../shared/events.js';
import type { DesktopEngine } from '../engine/index.js';
import type { BrowserWindowLike, ElectronLike, TrayLike } from './electron-api.js';
import { registerIpc } from './ipc.js';
import { trayTemplate } from './tray.js';

/** CSP for the packaged renderer: its own scripts only, no remote content. */
export const RENDERER_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

export interface DesktopMainOptions {
  engine: DesktopEngine;
  preloadPath: string;
  /** The built renderer's index.html, or a dev server URL. */
  renderer: { file: string } | { url: string };
  trayIcon: string;
}

export interface DesktopMain {
  window(): BrowserWindowLike | null;
  tray: TrayLike | null;
  /** Opens (and focuses) the window at a screen. */
  open(route?: Route): void;
  dispose(): void;
}

export async function startDesktop(electron: ElectronLike, opts: DesktopMainOptions): Promise<DesktopMain | null> {
  const { app } = electron;
  const { engine } = opts;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  await app.whenReady();
  const origin = 'url' in opts.renderer ? new URL(opts.renderer.url).origin : 'file://';

  electron.session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });

  let win: BrowserWindowLike | null = null;
  const createWindow = (): BrowserWindowLike => {
    const w = new electron.BrowserWindow({
      width: 1200,
      height: 800,
      show: false,
      title: 'DME',
      webPreferences: { preload: opts.preloadPath, sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, spellcheck: false },
    });
    w.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    w.webContents.on('will-navigate', (event, url) => {
      const target = new URL(url);
      if (origin === 'file://' ? target.protocol !== 'file:' : target.origin !== origin) event.preventDefault();
    });
    w.on('ready-to-show', () => w.show());
    w.on('closed', () => {
      if (win === w) win = null;
    });
    void ('url' in opts.renderer ? w.loadURL(opts.renderer.url) : w.loadFile(opts.renderer.file));
    return w;
  };
  win = createWindow();

  const send = (event: DesktopEvent) => {
    if (win && !win.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, event);
  };
  const open = (route?: Route) => {
    if (!win || win.isDestroyed()) win = createWindow();
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    if (route) send({ type: 'navigate', route });
  };
  app.on('second-instance', () => open());

  engine.setHost({
    mode: 'electron',
    pickFiles: async (a) => {
      if (!win) return null;
      const r = await electron.dialog.showOpenDialog(win, { ...(a.title ? { title: a.title } : {}), properties: a.multiple ? ['openFile', 'multiSelections'] : ['openFile'] });
      return r.canceled ? null : r.filePaths;
    },
    chooseExportPath: async (defaultName) => {
      if (!win) return null;
      const r = await electron.dialog.showSaveDialog(win, { defaultPath: defaultName, filters: [{ name: 'CSV', extensions: ['csv'] }] });
      return r.canceled || !r.filePath ? null : r.filePath;
    },
    setStartAtLogin: (on) => app.setLoginItemSettings({ openAtLogin: on }),
  });

  const unregister = registerIpc(electron.ipcMain, (m, a) => engine.call(m, a), { windowId: () => (win && !win.isDestroyed() ? win.webContents.id : null), origin });

  const tray = new electron.Tray(opts.trayIcon);
  tray.setToolTip('DME');
  tray.on('click', () => open());
  const refreshTray = () => {
    const template = trayTemplate(engine.parts.sync.state(), engine.parts.sync.latest(5), { open, quit: () => app.quit() });
    tray.setContextMenu(electron.Menu.buildFromTemplate(template));
  };
  refreshTray();

  const off = engine.on((event) => {
    send(event);
    if (event.type === 'sync.state' || event.type === 'imported') refreshTray();
    if (event.type === 'imported' && engine.parts.settings.get().notifications && electron.Notification.isSupported()) {
      const { title, body } = arrivalText(event.arrival);
      const n = new electron.Notification({ title, body });
      n.on('click', () => open({ screen: 'data', table: event.arrival.table, datasetId: event.arrival.datasetId }));
      n.show();
    }
  });
  app.setLoginItemSettings({ openAtLogin: engine.parts.settings.get().startAtLogin });
  app.on('before-quit', () => void engine.close());

  return {
    window: () => win,
    tray,
    open,
    dispose() {
      off();
      unregister();
    },
  };
}
