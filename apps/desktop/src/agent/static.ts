/**
 * @module agent/static
 * Serves the built renderer (apps/desktop/out/renderer) read-only: a fixed
 * set of content types, no directory listings, no path escaping the root,
 * and index.html for any unknown path without a dot (client-side routes).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export async function serveStatic(root: string, pathname: string, res: ServerResponse, headers: Record<string, string>): Promise<void> {
  const base = resolve(root);
  let rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  if (rel === '' || (!extname(rel) && !rel.includes('.'))) rel = 'index.html';
  const file = resolve(join(base, rel));
  if (file !== base && !file.startsWith(base + sep)) {
    res.writeHead(404, headers).end();
    return;
  }
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) {
    const index = join(base, 'index.html');
    const hasIndex = (await stat(index).catch(() => null))?.isFile();
    const body = hasIndex ? null : 'The DME renderer is not built yet: run `npm run build -w @dme/desktop` (vite) and reload.';
    if (body || extname(rel)) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end(body ?? 'Not found');
      return;
    }
    return serveStatic(root, '/index.html', res, headers);
  }
  res.writeHead(200, {
    ...headers,
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': String(info.size),
    // Hashed asset names from vite can be cached; the HTML must not be, it names them.
    'cache-control': file.endsWith('.html') ? 'no-store' : 'max-age=3600',
  });
  createReadStream(file).pipe(res);
}
