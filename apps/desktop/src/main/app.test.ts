/**
 * Main-process wiring with the electron module replaced by a stand-in (the
 * binary cannot run here); the engine, its settings and library are real.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDesktopEngine, type DesktopEngine } from '../engine/index.js';
import type { BrowserWindowOptions, ElectronLike, IpcEventLike, MenuItemOptions } from './electron-api.js';
import { startDesktop, type DesktopMain } from './app.js';

type Handler = (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>;

function fakeElectron() {
  const handlers = new Map<string, Handler>();
  const windows: FakeWindow[] = [];
  const menus: MenuItemOptions[][] = [];
  const notifications: FakeNotification[] = [];
  const loginItems: boolean[] = [];
  let nextId = 1;
  class FakeWindow {
    opts: BrowserWindowOptions;
    sent: Array<{ channel: string; payload: unknown }> = [];
    shown = 0;
    webContents = {
      id: nextId++,
      send: (channel: string, payload: unknown) => void this.sent.push({ channel, payload }),
      setWindowOpenHandler: () => undefined,
      on: () => undefined,
    };
    constructor(opts: BrowserWindowOptions) {
      this.opts = opts;
      windows.push(this);
    }
    loadURL = async () => undefined;
    loadFile = async () => undefined;
    show = () => void this.shown++;
    focus = () => undefined;
    isMinimized = () => false;
    restore = () => undefined;
    isDestroyed = () => false;
    on = () => undefined;
  }
  class FakeNotification {
    clicks: Array<() => void> = [];
    shown = false;
    constructor(readonly opts: { title: string; body: string }) {
      notifications.push(this);
    }
    show() {
      this.shown = true;
    }
    on(_e: 'click', l: () => void) {
      this.clicks.push(l);
    }
    static isSupported = () => true;
  }
  const electron: ElectronLike = {
    app: {
      requestSingleInstanceLock: () => true,
      on: () => undefined,
      whenReady: async () => undefined,
      quit: () => undefined,
      getPath: () => '/tmp',
      getVersion: () => '0.1.0',
      setLoginItemSettings: (s) => void loginItems.push(s.openAtLogin),
    },
    ipcMain: { handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c) },
    BrowserWindow: FakeWindow,
    Tray: class {
      setContextMenu = (m: unknown) => void menus.push(m as MenuItemOptions[]);
      setToolTip = () => undefined;
      on = () => undefined;
    },
    Menu: { buildFromTemplate: (t) => t },
    Notification: FakeNotification,
    dialog: { showOpenDialog: async () => ({ canceled: false, filePaths: ['/data/a.csv'] }), showSaveDialog: async () => ({ canceled: true }) },
    session: { defaultSession: { webRequest: { onHeadersReceived: () => undefined } } },
  };
  /** Invokes a channel as Electron would: no handler → rejection. */
  const invoke = async (channel: string, event: IpcEventLike, args: unknown) => {
    const h = handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return h(event, args);
  };
  return { electron, handlers, windows, menus, notifications, loginItems, invoke };
}

let dir: string;
let engine: DesktopEngine;
let fake: ReturnType<typeof fakeElectron>;
let desktop: DesktopMain;
const fromWindow = (): IpcEventLike => ({ sender: { id: fake.windows[0]!.webContents.id }, senderFrame: { url: 'file:///app/out/renderer/index.html', parent: null } });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dme-main-'));
  engine = await createDesktopEngine({ home: dir, env: { DME_KEYCHAIN: 'off', DME_HUB_URL: 'http://127.0.0.1:9' }, grantsEveryMs: 0, checkResults: true, log: () => undefined });
  fake = fakeElectron();
  desktop = (await startDesktop(fake.electron, { engine, preloadPath: '/app/out/preload/index.cjs', renderer: { file: '/app/out/renderer/index.html' }, trayIcon: '/app/tray.png' }))!;
});

afterEach(async () => {
  desktop.dispose();
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Electron main wiring', () => {
  it('creates a sandboxed, isolated window without Node integration', () => {
    const prefs = fake.windows[0]!.opts.webPreferences;
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, preload: '/app/out/preload/index.cjs' });
  });

  it('registers one channel per contract method and none other', async () => {
    expect(fake.handlers.has('dme:settings.get')).toBe(true);
    await expect(fake.invoke('dme:system.exec', fromWindow(), {})).rejects.toThrow(/No handler/);
    const ok = (await fake.invoke('dme:settings.get', fromWindow(), {})) as { ok: boolean; value: { libraryPath: string } };
    expect(ok.ok).toBe(true);
    expect(ok.value.libraryPath).toBe(join(dir, 'library.sqlite'));
  });

  it('refuses invalid arguments with BAD_REQUEST', async () => {
    const res = (await fake.invoke('dme:data.page', fromWindow(), { table: 'x', offset: -1 })) as { ok: boolean; error: { code: string } };
    expect(res).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const notObject = (await fake.invoke('dme:settings.set', fromWindow(), 'hubUrl')) as { ok: boolean; error: { code: string } };
    expect(notObject.error.code).toBe('BAD_REQUEST');
  });

  it('refuses senders from another frame, another window or another origin', async () => {
    const id = fake.windows[0]!.webContents.id;
    const iframe = { sender: { id }, senderFrame: { url: 'file:///app/out/renderer/index.html', parent: { url: 'file:///x', parent: null } } };
    const remote = { sender: { id }, senderFrame: { url: 'https://evil.example/', parent: null } };
    const otherWindow = { sender: { id: id + 99 }, senderFrame: { url: 'file:///app/out/renderer/index.html', parent: null } };
    for (const event of [iframe, remote, otherWindow, { sender: { id }, senderFrame: null }]) {
      const res = (await fake.invoke('dme:settings.get', event, {})) as { ok: boolean; error: { code: string } };
      expect(res).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
  });

  it('raises a notification for an import and opens that dataset when it is clicked', async () => {
    await engine.parts.sync.onEngine({ type: 'imported', datasetId: 'ds1', dataset: 'US phone numbers', releaseId: 'r1', rows: 1234, producer: 'Acme Telecom', table: 'us_phone_numbers' });
    expect(fake.notifications).toHaveLength(1);
    const n = fake.notifications[0]!;
    expect(n.shown).toBe(true);
    expect(n.opts.body).toBe('Acme Telecom published US phone numbers: 1,234 records');
    const win = fake.windows[0]!;
    win.sent.length = 0;
    n.clicks.forEach((c) => c());
    expect(win.sent).toContainEqual({ channel: 'dme:event', payload: { type: 'navigate', route: { screen: 'data', table: 'us_phone_numbers', datasetId: 'ds1' } } });
  });

  it('sends no native notification when the user turned them off', async () => {
    await engine.call('settings.set', { notifications: false });
    await engine.parts.sync.onEngine({ type: 'imported', datasetId: 'ds1', dataset: 'D', releaseId: 'r2', rows: 1, producer: 'P', table: 't' });
    expect(fake.notifications).toHaveLength(0);
  });

  it('shows sync state and the latest arrivals in the tray menu', async () => {
    const label = () => fake.menus.at(-1)![0]!.label;
    expect(label()).toBe('Signed out');
    await engine.parts.sync.onEngine({ type: 'downloading', datasetId: 'ds1', releaseId: 'r1', bytes: 50, total: 200 });
    expect(label()).toBe('Downloading 25%');
    await engine.parts.sync.onEngine({ type: 'imported', datasetId: 'ds1', dataset: 'US phone numbers', releaseId: 'r1', rows: 10, producer: 'Acme', table: 'us_phone_numbers' });
    await engine.parts.sync.onEngine({ type: 'idle' });
    const menu = fake.menus.at(-1)!;
    expect(menu[0]!.label).toBe('Up to date');
    const arrival = menu.find((i) => i.label?.startsWith('US phone numbers'));
    expect(arrival?.label).toBe('US phone numbers: 10 records (Acme)');
  });

  it('forwards engine events to the window and applies start at login', async () => {
    await engine.call('settings.set', { startAtLogin: true });
    expect(fake.loginItems.at(-1)).toBe(true);
    const picked = (await fake.invoke('dme:files.pick', fromWindow(), {})) as { ok: boolean; value: { paths: string[] } };
    expect(picked.value.paths).toEqual(['/data/a.csv']);
    const exported = (await fake.invoke('dme:data.exportCsv', fromWindow(), { table: 'x' })) as { ok: boolean; value: { kind: string } };
    expect(exported.value.kind).toBe('cancelled');
  });
});
