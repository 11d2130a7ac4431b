/**
 * @module main/index
 * The Electron entry (package.json "main" → out/main/index.js). Thin: makes
 * the engine for $DME_HOME and hands the real `electron` module to
 * startDesktop. DME_RENDERER_URL points the window at a dev server.
 */
import electron from 'electron';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { dmeHome } from '@dme/core/identity';
import { createDesktopEngine } from '../engine/index.js';
import type { ElectronLike } from './electron-api.js';
import { startDesktop } from './app.js';

const out = fileURLToPath(new URL('..', import.meta.url));

async function main(): Promise<void> {
  const engine = await createDesktopEngine({ home: dmeHome(process.env), env: process.env, host: { mode: 'electron' }, version: electron.app.getVersion() });
  const devUrl = process.env.DME_RENDERER_URL;
  // The real module has far wider types than the structural subset main uses; the shapes match at run time.
  const started = await startDesktop(electron as unknown as ElectronLike, {
    engine,
    preloadPath: join(out, 'preload', 'index.cjs'),
    renderer: devUrl ? { url: devUrl } : { file: join(out, 'renderer', 'index.html') },
    trayIcon: join(out, '..', '..', '..', 'resources', 'tray', 'trayTemplate.png'),
  });
  if (!started) await engine.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`DME desktop failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
