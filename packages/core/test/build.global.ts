/**
 * Vitest global setup for core: tests that spawn the real `dme` process run
 * the compiled dist/, so bring it up to date first (an incremental TS7
 * build, about a second when nothing changed).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const tsc = fileURLToPath(new URL('../../../node_modules/typescript-native/bin/tsc', import.meta.url));
  const r = spawnSync(process.execPath, [tsc, '-b'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed before core tests:\n${r.stdout}${r.stderr}`);
}
