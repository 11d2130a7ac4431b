/**
 * Global setup of the desktop-e2e project: builds the renderer with Vite into
 * apps/desktop/out/renderer, the folder the agent serves, so the tests never
 * drive a stale bundle. A child process, because vitest sets NODE_ENV=test
 * and the page must be the production build users get.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const desktop = fileURLToPath(new URL('../../', import.meta.url));
  const vite = fileURLToPath(new URL('../../../../node_modules/vite/bin/vite.js', import.meta.url));
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: desktop, env: { ...process.env, NODE_ENV: 'production' }, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`renderer build failed:\n${r.stderr || r.stdout}`);
}
