/**
 * @module engine/settings
 * The desktop's own settings in $DME_HOME/desktop.json: hub URL, library
 * path, start at login, notifications, watch folders. Written atomically
 * (temp + rename) so a crash never leaves half a file; an unreadable file
 * falls back to defaults rather than stopping the app.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { Settings as SettingsSchema, WatchFolder, type Settings } from '../shared/models.js';

export const SETTINGS_FILE = 'desktop.json';
export const DEFAULT_HUB_URL = 'http://127.0.0.1:8787';

const StoredSchema = SettingsSchema.extend({ watch: z.array(WatchFolder).default([]) }).partial();
export type StoredSettings = Settings & { watch: WatchFolder[] };

export function defaultSettings(home: string, env: NodeJS.ProcessEnv): StoredSettings {
  return {
    hubUrl: (env.DME_HUB_URL || DEFAULT_HUB_URL).replace(/\/+$/, ''),
    libraryPath: env.DME_LIBRARY || join(home, 'library.sqlite'),
    startAtLogin: false,
    notifications: true,
    watchStableSeconds: 5,
    watch: [],
  };
}

export class SettingsStore {
  private constructor(
    private readonly path: string,
    private current: StoredSettings,
  ) {}

  static async open(home: string, env: NodeJS.ProcessEnv): Promise<SettingsStore> {
    const path = join(home, SETTINGS_FILE);
    const defaults = defaultSettings(home, env);
    let stored: Partial<StoredSettings> = {};
    try {
      const parsed = StoredSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
      if (parsed.success) stored = parsed.data;
    } catch {
      // Missing or unreadable: defaults (the next save rewrites it).
    }
    // An explicit DME_HUB_URL in the environment wins over the saved one (scripts, tests).
    const hubUrl = env.DME_HUB_URL ? defaults.hubUrl : (stored.hubUrl ?? defaults.hubUrl);
    return new SettingsStore(path, { ...defaults, ...stored, hubUrl });
  }

  get(): StoredSettings {
    return structuredClone(this.current);
  }

  view(): Settings {
    const { watch: _watch, ...rest } = this.current;
    return rest;
  }

  async update(patch: Partial<StoredSettings>): Promise<StoredSettings> {
    const next = { ...this.current };
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) (next as Record<string, unknown>)[k] = v;
    if (next.hubUrl) next.hubUrl = next.hubUrl.replace(/\/+$/, '');
    await mkdir(join(this.path, '..'), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, this.path);
    this.current = next;
    return this.get();
  }
}
