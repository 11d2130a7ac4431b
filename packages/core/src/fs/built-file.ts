/**
 * @module fs/built-file
 * Where a file of this package's build lives, seen from the module asking.
 * The code runs from three places: `dist/` (tsc's output, what other
 * packages import), `dist-bundle/` (the `dme` command, bundled so it starts
 * in fewer module loads) and `src/` (tests run the TypeScript itself). Files
 * that must stay separate, such as worker scripts and package.json, are
 * always taken from the package root and `dist/`, never beside a bundle
 * chunk, whose own name says nothing about what it holds.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root above `moduleUrl` (the folder holding its dist/, dist-bundle/ or src/), or null. */
export function packageRoot(moduleUrl: string): string | null {
  const here = fileURLToPath(moduleUrl);
  // Either separator: Windows paths come back with backslashes.
  const m = /^(.*)[\\/](?:dist|dist-bundle|src)[\\/]/.exec(here);
  return m ? m[1]! : null;
}

/** `dist/<rel>` of the package `moduleUrl` belongs to, if it has been built. */
export function builtFile(moduleUrl: string, rel: string): string | null {
  const root = packageRoot(moduleUrl);
  if (!root) return null;
  const path = join(root, 'dist', ...rel.split('/'));
  return existsSync(path) ? path : null;
}
