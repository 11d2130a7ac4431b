/**
 * @module agent/main
 * `node apps/desktop/out/agent/main.js`: browser mode. Hosts the desktop
 * engine for $DME_HOME (default ~/.dme) and serves the renderer on
 * 127.0.0.1 (DME_DESKTOP_PORT, else a free port); prints the URL with its
 * per-run token on stdout as `DME desktop: <url>`. SIGINT/SIGTERM close the
 * engine cleanly (the sync engine rolls back an import in progress).
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { dmeHome } from '@dme/core/identity';
import { createDesktopEngine } from '../engine/index.js';
import { startAgent } from './server.js';

const here = fileURLToPath(new URL('.', import.meta.url));

async function main(): Promise<void> {
  const home = dmeHome(process.env);
  const engine = await createDesktopEngine({ home, env: process.env });
  const port = process.env.DME_DESKTOP_PORT ? Number(process.env.DME_DESKTOP_PORT) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`DME_DESKTOP_PORT is not a port: ${process.env.DME_DESKTOP_PORT}`);
  const agent = await startAgent({ engine, port, rendererDir: process.env.DME_RENDERER_DIR ?? join(here, '..', 'renderer') });
  process.stdout.write(`DME desktop: ${agent.openUrl}\n`);
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    void agent
      .close()
      .then(() => engine.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((e: unknown) => {
  process.stderr.write(`dme desktop agent: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
