/**
 * @module agent/server
 * Browser mode: the desktop engine served over HTTP on 127.0.0.1 to the same
 * renderer, following shared/transport.ts. Every /api request needs the
 * per-run token and a loopback Host header; state-changing requests from
 * another Origin are refused too. Uploads stream to disk under a size limit;
 * exports are served once and deleted.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { DesktopEngine } from '../engine/index.js';
import { err, ok, type ErrorCode, type Result } from '../shared/result.js';
import { API_CALL_PATH, API_DOWNLOAD_PATH, API_EVENTS_PATH, API_UPLOAD_PATH, TOKEN_QUERY, tokenCookie, UPLOAD_LIMIT_BYTES } from '../shared/transport.js';
import { hostAllowed, newToken, sameToken, SECURITY_HEADERS, tokenOf } from './security.js';
import { serveStatic } from './static.js';

export interface AgentOptions {
  engine: DesktopEngine;
  rendererDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  token?: string;
  uploadLimitBytes?: number;
  heartbeatMs?: number;
}

export interface RunningAgent {
  url: string;
  /** url with ?token=: what the user opens. */
  openUrl: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const JSON_LIMIT = 1024 * 1024;
const STATUS: Partial<Record<ErrorCode, number>> = { BAD_REQUEST: 400, UNKNOWN_METHOD: 404 };

function send(res: ServerResponse, status: number, body: Result<unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)) }).end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > JSON_LIMIT) throw Object.assign(new Error('too large'), { status: 413 });
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  return JSON.parse(text) as unknown;
}

export async function startAgent(opts: AgentOptions): Promise<RunningAgent> {
  const { engine } = opts;
  const token = opts.token ?? newToken();
  const limit = opts.uploadLimitBytes ?? UPLOAD_LIMIT_BYTES;
  const downloads = new Map<string, { path: string; fileName: string }>();
  /** Open event streams, each with what lets go of it (the engine listener, the heartbeat). */
  const streams = new Map<ServerResponse, () => void>();
  let port = 0;

  engine.setHost({
    mode: 'browser',
    offerDownload: (path, fileName) => {
      const id = randomUUID();
      downloads.set(id, { path, fileName });
      return `${API_DOWNLOAD_PATH}${id}`;
    },
  });

  const upload = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const name = (url.searchParams.get('name') ?? '').trim();
    if (!name || name.length > 255 || /[/\\\0]/.test(name)) return send(res, 400, err('BAD_REQUEST', 'Give the file name as ?name= (no slashes).'));
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) return send(res, 413, err('BAD_REQUEST', `The file is larger than the ${Math.round(limit / 1024 ** 2)} MiB upload limit.`));
    const uploadId = randomUUID().replace(/-/g, '');
    const path = engine.uploadPath(uploadId);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        cb(size > limit ? Object.assign(new Error('too large'), { status: 413 }) : null, chunk);
      },
    });
    try {
      await pipeline(req, counter, createWriteStream(`${path}.part`, { mode: 0o600 }));
      await rename(`${path}.part`, path);
    } catch (e) {
      await rm(`${path}.part`, { force: true });
      if ((e as { status?: number }).status === 413) return send(res, 413, err('BAD_REQUEST', `The file is larger than the ${Math.round(limit / 1024 ** 2)} MiB upload limit.`));
      return send(res, 400, err('FILE_ERROR', 'The upload was interrupted; try again.'));
    }
    return send(res, 200, ok({ uploadId, name, size }));
  };

  const events = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 2000\n: connected\n\n');
    const off = engine.on((e) => void res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`));
    const beat = setInterval(() => res.write(': keep-alive\n\n'), opts.heartbeatMs ?? 15_000);
    const stop = (): void => {
      off();
      clearInterval(beat);
      streams.delete(res);
    };
    streams.set(res, stop);
    req.on('close', stop);
  };

  const download = async (res: ServerResponse, id: string) => {
    const entry = downloads.get(id);
    if (!entry) return send(res, 404, err('NOT_FOUND', 'That download has expired; export again.'));
    downloads.delete(id);
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${entry.fileName.replace(/[^\w.-]/g, '_')}"`, 'cache-control': 'no-store' });
    await pipeline(createReadStream(entry.path), res).catch(() => undefined);
    await rm(entry.path, { force: true });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (!hostAllowed(req, port)) return send(res, 403, err('FORBIDDEN', 'This address is not allowed; open the agent at 127.0.0.1 or localhost.'));
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const origin = req.headers.origin;
    if (origin && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) return send(res, 403, err('FORBIDDEN', 'Requests from other sites are refused.'));

    if (!url.pathname.startsWith('/api/')) {
      const given = url.searchParams.get(TOKEN_QUERY);
      if (given !== null) {
        if (!sameToken(given, token)) return send(res, 401, err('AUTH_FAILED', 'That link has an old or wrong token; use the one the agent printed.'));
        url.searchParams.delete(TOKEN_QUERY);
        res.writeHead(303, { ...SECURITY_HEADERS, 'set-cookie': `${tokenCookie(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`, location: url.pathname + url.search }).end();
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, err('BAD_REQUEST', 'Only GET here.'));
      return serveStatic(opts.rendererDir, url.pathname, res, SECURITY_HEADERS);
    }

    if (!sameToken(tokenOf(req, port), token)) return send(res, 401, err('AUTH_FAILED', 'Missing or wrong agent token; open the link the agent printed.'));
    if (url.pathname === API_EVENTS_PATH && req.method === 'GET') return events(req, res);
    if (url.pathname === API_UPLOAD_PATH && req.method === 'POST') return upload(req, res, url);
    if (url.pathname.startsWith(API_DOWNLOAD_PATH) && req.method === 'GET') return download(res, url.pathname.slice(API_DOWNLOAD_PATH.length));
    if (url.pathname.startsWith(API_CALL_PATH) && req.method === 'POST') {
      const method = decodeURIComponent(url.pathname.slice(API_CALL_PATH.length));
      let args: unknown;
      try {
        args = await readJson(req);
      } catch (e) {
        const big = (e as { status?: number }).status === 413;
        return send(res, big ? 413 : 400, err('BAD_REQUEST', big ? 'The request is too large.' : 'The request body is not JSON.'));
      }
      const result = await engine.call(method, args);
      return send(res, result.ok ? 200 : (STATUS[result.error.code] ?? 200), result);
    }
    return send(res, 404, err('UNKNOWN_METHOD', 'No such endpoint.'));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, err('INTERNAL', 'The agent failed to answer; see its log.'));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    openUrl: `${base}/?${TOKEN_QUERY}=${token}`,
    token,
    port,
    async close() {
      // Let go at once: the engine still emits while it stops, and a write to an ended stream throws.
      for (const [s, stop] of streams) {
        stop();
        s.end();
      }
      // close() waits for every connection to end; a browser may hold one open (keep-alive, an
      // unanswered call), so cut them instead of waiting on the browser.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
