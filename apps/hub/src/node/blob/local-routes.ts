/**
 * @module node/blob/local-routes
 * The HTTP face of LocalBlobStore, mounted at `/v1/blob` by createApp. Every
 * request is authorised by its signed URL alone (no session): PUT stores a
 * whole body or one `Content-Range` piece (streamed to disk), HEAD reports
 * `Upload-Offset`, GET serves the object with `Range` support.
 *
 * Hono answers HEAD by running the GET handler and dropping the body, so the GET
 * handler branches on the real method (the signature still binds it).
 */
import { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { BlobError, assertValidKey } from '../../blob/errors.js';
import { UrlSigner } from '../../blob/signing.js';
import type { VerifyFailure } from '../../blob/signing.js';
import type { LocalBlobStore } from './local-store.js';
import { sendFileRegion } from './send-file.js';

const REASONS: Record<VerifyFailure, BlobError> = {
  expired: new BlobError('URL_EXPIRED', 'this URL has expired; ask the hub for a new one'),
  'bad-signature': new BlobError('BAD_SIGNATURE', 'URL signature is missing or invalid for this key'),
  'wrong-method': new BlobError('WRONG_METHOD', 'this URL does not allow this method'),
};

function errorResponse(c: Context, err: unknown): Response {
  if (err instanceof BlobError) {
    const body = { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
    const headers: Record<string, string> = {};
    if (typeof err.details?.offset === 'number') headers['Upload-Offset'] = String(err.details.offset);
    if (err.code === 'RANGE_NOT_SATISFIABLE' && typeof err.details?.size === 'number') headers['Content-Range'] = `bytes */${err.details.size}`;
    return c.json(body, err.status as 400, headers);
  }
  console.error('blob route failed', err);
  return c.json({ error: { code: 'INTERNAL', message: 'blob store failure' } }, 500);
}

/**
 * The request body as chunks. Under @hono/node-server the IncomingMessage itself
 * is used: its async iterator pulls with backpressure, whereas the web stream
 * node-server builds with Node 20's `Readable.toWeb` queues chunks without a
 * byte bound and can hold a whole piece in memory behind a slow disk.
 */
function requestBody(c: Context): AsyncIterable<Uint8Array> | null {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  if (incoming instanceof Readable) return incoming;
  return c.req.raw.body;
}

/** `bytes a-b/total` → piece bounds; anything else is a 400. */
function parseContentRange(value: string): { start: number; end: number; total: number } {
  const m = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15})$/.exec(value.trim());
  if (!m) throw new BlobError('INVALID_RANGE', 'Content-Range must be "bytes a-b/total"');
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (end < start || end >= total) throw new BlobError('INVALID_RANGE', 'Content-Range bounds are inconsistent');
  return { start, end, total };
}

/** One `Range: bytes=…` spec against `size`; null means "serve it all" (absent or multi-range). */
function parseRange(value: string | undefined, size: number): { start: number; end: number } | null {
  if (!value) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) throw new BlobError('RANGE_NOT_SATISFIABLE', 'empty suffix range', { size });
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return null;
  }
  if (start >= size) throw new BlobError('RANGE_NOT_SATISFIABLE', `range starts past the end (${size} bytes)`, { size });
  return { start, end };
}

/** Node's response under @hono/node-server, for answers written to it directly. */
function nodeResponse(c: Context): ServerResponse | undefined {
  const outgoing = (c.env as { outgoing?: unknown } | undefined)?.outgoing;
  return outgoing instanceof ServerResponse ? outgoing : undefined;
}

/** Status and headers of a GET answer for the whole object or one range of it. */
function answerFor(range: { start: number; end: number } | null, size: number): { status: 200 | 206; headers: Record<string, string> } {
  const headers: Record<string, string> = {
    'Content-Type': 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'private, no-store',
  };
  if (!range) return { status: 200, headers: { ...headers, 'Content-Length': String(size) } };
  headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
  headers['Content-Length'] = String(range.end - range.start + 1);
  return { status: 206, headers };
}

/**
 * The sub-app for `/v1/blob`. `secret` defaults to the store's own (it mints the
 * URLs); passing a different one makes every URL the store hands out invalid.
 */
export function localBlobRoutes(store: LocalBlobStore, secret?: string | Uint8Array): Hono {
  const signer = secret === undefined ? store.signer : new UrlSigner(secret);
  const app = new Hono();

  async function authorise(c: Context, key: string): Promise<void> {
    assertValidKey(key);
    const query = new URL(c.req.url).searchParams;
    const result = await signer.verify(c.req.method, key, query);
    if (!result.ok) throw REASONS[result.reason];
  }

  /** Under @hono/node-server: the bytes go onto Node's response from reused buffers (send-file.ts). */
  async function sendDirect(c: Context, key: string, out: ServerResponse): Promise<Response> {
    const object = await store.openObject(key);
    if (!object) throw new BlobError('NOT_FOUND', 'no such object');
    try {
      const range = parseRange(c.req.header('Range'), object.size);
      const { status, headers } = answerFor(range, object.size);
      out.writeHead(status, headers);
      await sendFileRegion(object.file, out, range?.start ?? 0, range?.end ?? object.size - 1).catch((err: unknown) => {
        // Headers are gone: the client sees the connection cut before Content-Length bytes.
        out.destroy(err instanceof Error ? err : undefined);
      });
      return RESPONSE_ALREADY_SENT;
    } finally {
      await object.file.close();
    }
  }

  app.put('/:key{.+}', async (c) => {
    try {
      const key = c.req.param('key');
      await authorise(c, key);
      const rangeHeader = c.req.header('Content-Range');
      let start: number;
      let length: number;
      let total: number;
      if (rangeHeader) {
        const r = parseContentRange(rangeHeader);
        [start, length, total] = [r.start, r.end - r.start + 1, r.total];
      } else {
        // A whole-body PUT restarts the upload from byte 0.
        const { size } = await store.restartUpload(key);
        [start, length, total] = [0, size, size];
      }
      const offset = await store.writePiece(key, start, length, total, requestBody(c));
      return c.json({ offset }, 200, { 'Upload-Offset': String(offset) });
    } catch (err) {
      return errorResponse(c, err);
    }
  });

  app.get('/:key{.+}', async (c) => {
    try {
      const key = c.req.param('key');
      await authorise(c, key);
      if (c.req.method === 'HEAD') {
        const done = await store.head(key);
        const offset = done ? done.size : (await store.uploadStatus(key)).offset;
        return c.body(null, 200, { 'Upload-Offset': String(offset), 'Upload-Complete': done ? '?1' : '?0', 'Cache-Control': 'no-store' });
      }
      const outgoing = nodeResponse(c);
      if (outgoing) return await sendDirect(c, key, outgoing);
      const head = await store.head(key);
      if (!head) throw new BlobError('NOT_FOUND', 'no such object');
      const range = parseRange(c.req.header('Range'), head.size);
      const body = await store.read(key, range ?? undefined);
      if (!body) throw new BlobError('NOT_FOUND', 'no such object');
      const { status, headers } = answerFor(range, head.size);
      return c.body(body, status, headers);
    } catch (err) {
      return errorResponse(c, err);
    }
  });

  return app;
}
