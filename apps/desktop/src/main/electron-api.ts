/**
 * @module main/electron-api
 * The few Electron main-process APIs the desktop uses, as structural types.
 * Main's logic takes them as a parameter, so it is tested with a stand-in
 * object where the Electron binary cannot run; index.ts passes the real
 * `electron` module, which satisfies these shapes.
 */

export interface FrameLike {
  url: string;
  parent: FrameLike | null;
}

export interface IpcEventLike {
  sender: { id: number };
  senderFrame: FrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface WebContentsLike {
  id: number;
  send(channel: string, ...args: unknown[]): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void;
  on(event: 'will-navigate', listener: (event: { preventDefault(): void }, url: string) => void): void;
}

export interface BrowserWindowLike {
  webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  loadFile(path: string): Promise<void>;
  show(): void;
  focus(): void;
  isMinimized(): boolean;
  restore(): void;
  isDestroyed(): boolean;
  on(event: 'closed' | 'ready-to-show', listener: () => void): void;
}

export interface BrowserWindowOptions {
  width: number;
  height: number;
  show: boolean;
  title: string;
  webPreferences: { preload: string; sandbox: true; contextIsolation: true; nodeIntegration: false; webSecurity: true; spellcheck: boolean };
}

export interface MenuItemOptions {
  label?: string;
  type?: 'normal' | 'separator';
  enabled?: boolean;
  click?: () => void;
}

export interface TrayLike {
  setContextMenu(menu: unknown): void;
  setToolTip(text: string): void;
  on(event: 'click', listener: () => void): void;
}

export interface NotificationLike {
  show(): void;
  on(event: 'click', listener: () => void): void;
}

export interface ElectronLike {
  app: {
    requestSingleInstanceLock(): boolean;
    on(event: 'second-instance' | 'window-all-closed' | 'before-quit', listener: () => void): void;
    whenReady(): Promise<void>;
    quit(): void;
    getPath(name: 'userData'): string;
    getVersion(): string;
    setLoginItemSettings(settings: { openAtLogin: boolean }): void;
  };
  ipcMain: IpcMainLike;
  BrowserWindow: new (opts: BrowserWindowOptions) => BrowserWindowLike;
  Tray: new (icon: string) => TrayLike;
  Menu: { buildFromTemplate(template: MenuItemOptions[]): unknown };
  Notification: (new (opts: { title: string; body: string }) => NotificationLike) & { isSupported(): boolean };
  dialog: {
    showOpenDialog(win: BrowserWindowLike, opts: { title?: string; properties: Array<'openFile' | 'multiSelections'> }): Promise<{ canceled: boolean; filePaths: string[] }>;
    showSaveDialog(win: BrowserWindowLike, opts: { defaultPath: string; filters: Array<{ name: string; extensions: string[] }> }): Promise<{ canceled: boolean; filePath?: string }>;
  };
  session: {
    defaultSession: {
      webRequest: {
        onHeadersReceived(listener: (details: { responseHeaders?: Record<string, string[] | string> }, callback: (response: { responseHeaders: Record<string, string[] | string> }) => void) => void): void;
      };
    };
  };
}
