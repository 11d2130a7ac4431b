/**
 * @module node/docs-assets
 * Reads the swagger-ui files the /docs explorer needs from the installed
 * swagger-ui-dist package, once at start, so the explorer works offline.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DocsAssets } from '../deps.js';

const FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** Undefined when swagger-ui-dist is not installed: /docs then says so. */
export function loadDocsAssets(): DocsAssets | undefined {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  } catch {
    return undefined;
  }
  const files = new Map<string, { body: Uint8Array; contentType: string }>();
  for (const [name, contentType] of Object.entries(FILES)) files.set(name, { body: readFileSync(join(dir, name)), contentType });
  return { files };
}
