/**
 * @module routes/docs
 * The interactive API explorer at /docs, working offline: swagger-ui's files
 * are served by the hub itself from `deps.docs` (read from disk by the Node
 * entry, since routes stay web-standard), never from a CDN.
 */
import { Hono } from 'hono';
import type { DocsAssets } from '../deps.js';
import { errorResponse } from '../errors.js';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>DME hub API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/v1/openapi.json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: true });`;

export function docsRoutes(assets: DocsAssets | undefined) {
  return new Hono()
    .get('/', (c) => {
      if (!assets) return errorResponse(c, 'NOT_FOUND', 'the API explorer is not installed on this hub; the document is at /v1/openapi.json');
      return c.html(PAGE);
    })
    .get('/init.js', (c) => c.body(INIT, 200, { 'content-type': 'text/javascript; charset=utf-8' }))
    .get('/:file', (c) => {
      const file = assets?.files.get(c.req.param('file'));
      if (!file) return errorResponse(c, 'NOT_FOUND', 'no such file');
      return c.body(file.body as Uint8Array<ArrayBuffer>, 200, { 'content-type': file.contentType, 'cache-control': 'public, max-age=3600' });
    });
}
