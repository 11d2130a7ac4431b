/**
 * @module engine/parts
 * The pieces one desktop engine is made of, and the hooks its host (Electron
 * main or the browser-mode agent) plugs in for what only the host can do:
 * native dialogs, login items, download URLs.
 */
import type { DesktopEvent } from '../shared/events.js';
import type { CatalogService } from './catalog.js';
import type { LibraryData } from './data.js';
import type { ProducerService } from './producer.js';
import type { PublishQueue } from './queue.js';
import type { SessionManager } from './session.js';
import type { SettingsStore } from './settings.js';
import type { SyncService } from './sync.js';
import type { FolderWatcher } from './watch.js';
import type { WebhookService } from './webhook.js';

export interface HostHooks {
  mode: 'electron' | 'browser';
  /** Native open-file dialog; null when cancelled. */
  pickFiles?(args: { multiple: boolean; title?: string | undefined }): Promise<string[] | null>;
  /** Native save dialog for an export; null when cancelled. */
  chooseExportPath?(defaultName: string): Promise<string | null>;
  /** Browser mode: serve this prepared file once; returns its URL. */
  offerDownload?(path: string, fileName: string): string;
  setStartAtLogin?(on: boolean): void;
}

export interface EngineParts {
  home: string;
  version: string;
  host: HostHooks;
  settings: SettingsStore;
  session: SessionManager;
  catalog: CatalogService;
  producer: ProducerService;
  data: LibraryData;
  queue: PublishQueue;
  watcher: FolderWatcher;
  sync: SyncService;
  webhook: WebhookService;
  emit(event: DesktopEvent): void;
  restartSync(): Promise<void>;
  uploadPath(uploadId: string): string;
}
