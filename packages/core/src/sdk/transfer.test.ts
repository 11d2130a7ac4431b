/**
 * The transfer client's failure handling against a real HTTP server on
 * 127.0.0.1 whose behaviour each test scripts: bounded retries, non-retryable
 * errors, whole-body fallback, short sources, aborts, downloads from servers
 * that ignore Range or break off, and sink failures. (Full round trips against
 * the hub's stores live in apps/hub/src/node/blob.)
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadPayload, uploadPayload } from './transfer.js';
import type { UploadTarget } from './transfer.js';
import { describeFailure } from './transfer-http.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
let handler: Handler;
let requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; size: number }>;
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, size: body.length });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests = [];
});

function source(bytes: Uint8Array): (offset: number) => ReadableStream<Uint8Array> {
  return (offset) =>
    new ReadableStream<Uint8Array>({
      start(c) {
        for (let at = offset; at < bytes.length; at += 1000) c.enqueue(bytes.subarray(at, Math.min(at + 1000, bytes.length)));
        c.close();
      },
    });
}

function single(): UploadTarget {
  return { kind: 'single', url: `${base}/put`, statusUrl: `${base}/status`, expiresAt: new Date(Date.now() + 60_000).toISOString() };
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('uploadPayload', () => {
  it('retries 503s with backoff and gives up after the retry budget', async () => {
    let stored = 0;
    handler = (req, res) => {
      if (req.method === 'HEAD') return res.writeHead(200, { 'Upload-Offset': String(stored) }).end();
      res.writeHead(503).end('busy');
    };
    const data = randomBytes(5000);
    await expect(uploadPayload(single(), source(data), data.length, { retries: 3, backoffMs: 5 })).rejects.toMatchObject({ code: 'RETRIES_EXHAUSTED' });
    expect(requests.filter((r) => r.method === 'PUT')).toHaveLength(4);

    requests = [];
    let failures = 2;
    handler = (req, res, body) => {
      if (req.method === 'HEAD') return res.writeHead(200, { 'Upload-Offset': String(stored) }).end();
      if (failures-- > 0) return res.writeHead(503).end();
      stored += body.length;
      res.writeHead(200, { 'Upload-Offset': String(stored) }).end();
    };
    await uploadPayload(single(), source(data), data.length, { retries: 3, backoffMs: 5 });
    expect(stored).toBe(5000);
    expect(requests.filter((r) => r.method === 'PUT')).toHaveLength(3);
  });

  it('does not retry a 400 and reports the store code', async () => {
    handler = (req, res) => {
      if (req.method === 'HEAD') return res.writeHead(200, { 'Upload-Offset': '0' }).end();
      res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { code: 'SIZE_MISMATCH', message: 'no' } }));
    };
    const data = randomBytes(10);
    await expect(uploadPayload(single(), source(data), 10, { backoffMs: 5 })).rejects.toMatchObject({ code: 'HTTP_ERROR', status: 400, remoteCode: 'SIZE_MISMATCH' });
    expect(requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
  });

  it('sends the whole body in one PUT when the store reports no offset (presigned S3)', async () => {
    let got: Buffer | undefined;
    handler = (req, res, body) => {
      if (req.method === 'HEAD') return res.writeHead(404).end();
      got = body;
      res.writeHead(200, { ETag: '"x"' }).end();
    };
    const data = randomBytes(30_000);
    await uploadPayload(single(), source(data), data.length, { pieceSize: 1000 });
    const put = requests.find((r) => r.method === 'PUT');
    expect(put?.headers['content-range']).toBeUndefined();
    expect(put?.headers['content-length']).toBe('30000');
    expect(sha(got ?? new Uint8Array())).toBe(sha(data));
  });

  it('fails without retrying when the source is shorter than announced', async () => {
    handler = (req, res) => {
      if (req.method === 'HEAD') return res.writeHead(200, { 'Upload-Offset': '0' }).end();
      res.writeHead(200, { 'Upload-Offset': '0' }).end();
    };
    const data = randomBytes(500);
    await expect(uploadPayload(single(), source(data), 900, { backoffMs: 5 })).rejects.toMatchObject({ code: 'SOURCE_ENDED' });
    expect(requests.filter((r) => r.method === 'PUT').length).toBeLessThanOrEqual(1);
  });

  it('stops with ABORTED when the caller aborts', async () => {
    handler = (req, res) => {
      if (req.method === 'HEAD') return res.writeHead(200, { 'Upload-Offset': '0' }).end();
      res.writeHead(503).end();
    };
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 50);
    const data = randomBytes(100);
    await expect(uploadPayload(single(), source(data), 100, { signal: ctrl.signal, backoffMs: 1000, retries: 10 })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('refuses a multipart part answer without an ETag', async () => {
    handler = (_req, res) => res.writeHead(200).end();
    const target: UploadTarget = {
      kind: 'multipart',
      uploadId: 'u1',
      partSize: 100,
      parts: [1, 2].map((n) => ({ partNumber: n, url: `${base}/part?n=${n}` })),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    };
    const data = randomBytes(150);
    await expect(uploadPayload(target, source(data), 150)).rejects.toMatchObject({ code: 'BAD_TARGET' });
  });
});

describe('downloadPayload', () => {
  const data = randomBytes(200_000);

  it('resumes from a server that ignores Range and breaks off once', async () => {
    let broke = false;
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Length': String(data.length) });
      if (!broke) {
        broke = true;
        res.write(data.subarray(0, 70_000));
        setTimeout(() => res.destroy(), 20);
        return;
      }
      res.end(data);
    };
    const hash = createHash('sha256');
    let received = 0;
    const result = await downloadPayload(`${base}/get`, async (c) => void hash.update(c), { backoffMs: 5, onProgress: (n) => (received = n) });
    expect(result.size).toBe(data.length);
    expect(received).toBe(data.length);
    expect(hash.digest('hex')).toBe(sha(data));
    expect(requests[1]?.headers.range).toMatch(/^bytes=\d+-$/);
  });

  it('reports a sink failure as WRITE_FAILED without retrying', async () => {
    handler = (_req, res) => res.writeHead(200, { 'Content-Length': String(data.length) }).end(data);
    await expect(
      downloadPayload(`${base}/get`, async () => {
        throw new Error('disk full');
      }),
    ).rejects.toMatchObject({ code: 'WRITE_FAILED' });
    expect(requests).toHaveLength(1);
  });

  it('refuses an object whose size is not the expected one', async () => {
    handler = (_req, res) => res.writeHead(200, { 'Content-Length': String(data.length) }).end(data);
    await expect(downloadPayload(`${base}/get`, async () => undefined, { expectedSize: 1234 })).rejects.toMatchObject({ code: 'SIZE_MISMATCH' });
  });

  it('continues from startAt with a Range request', async () => {
    handler = (req, res) => {
      const start = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
      res.writeHead(206, { 'Content-Range': `bytes ${start}-${data.length - 1}/${data.length}` }).end(data.subarray(start));
    };
    const hash = createHash('sha256').update(data.subarray(0, 1000));
    const result = await downloadPayload(`${base}/get`, async (c) => void hash.update(c), { startAt: 1000 });
    expect(result.size).toBe(data.length);
    expect(hash.digest('hex')).toBe(sha(data));
  });

  it('takes a 416 naming the same length as a complete download, and any other 416 as a failure', async () => {
    handler = (_req, res) => res.writeHead(416, { 'Content-Range': `bytes */${data.length}` }).end();
    await expect(downloadPayload(`${base}/get`, async () => undefined, { startAt: data.length })).resolves.toEqual({ size: data.length });
    expect(requests.at(-1)?.headers.range).toBe(`bytes=${data.length}-`);
    await expect(downloadPayload(`${base}/get`, async () => undefined, { startAt: data.length + 5 })).rejects.toMatchObject({ code: 'HTTP_ERROR', status: 416 });
  });
});

describe('describeFailure', () => {
  it('recognises expiry from S3 XML and from our JSON, and not a plain denial', async () => {
    const s3 = new Response('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>', { status: 403 });
    expect(await describeFailure(s3)).toMatchObject({ expired: true, remoteCode: 'AccessDenied' });
    const ours = new Response(JSON.stringify({ error: { code: 'URL_EXPIRED', message: 'x' } }), { status: 403 });
    expect(await describeFailure(ours)).toMatchObject({ expired: true, remoteCode: 'URL_EXPIRED' });
    const denied = new Response(JSON.stringify({ error: { code: 'BAD_SIGNATURE', message: 'x' } }), { status: 403 });
    expect(await describeFailure(denied, new Date(Date.now() + 60_000).toISOString())).toMatchObject({ expired: false, retryable: false });
    const conflict = new Response(JSON.stringify({ error: { code: 'OFFSET_MISMATCH', message: 'x', details: { offset: 42 } } }), { status: 409 });
    expect(await describeFailure(conflict)).toMatchObject({ offset: 42, retryable: false });
  });
});
