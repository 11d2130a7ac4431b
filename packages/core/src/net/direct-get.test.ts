/** directGet against real servers on 127.0.0.1: node:http, node:https, and raw sockets for framings node:http never sends. */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadPayload } from '../sdk/transfer-download.js';
import { fetchGlobalsTouchedBy } from '../../test/fetch-globals.js';
import { listen, routeHandler, type Route } from '../../test/route-server.js';
import { directGet, type DirectResponse } from './direct-get.js';

// A self-signed certificate for 127.0.0.1, made for this test only (valid until 2126).
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgi56bGyiLPHN6tvfz
Ng71z9JiUBGo0W3LKmnDnFfjJT2hRANCAAQkSPOD/jc4YWu5LKUFsgU744/Chgt9
DGqyh1CBmQbnYqLE8Hg2kP3iUcid4l3B6WyYbv08rmQUiw8qaN6cuLsX
-----END PRIVATE KEY-----
`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUb2FqiZW7UVD8k8lDq0x+qDId8FowCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNzAxNTcxNloYDzIxMjYxMTEz
MDE1NzE2WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQkSPOD/jc4YWu5LKUFsgU744/Chgt9DGqyh1CBmQbnYqLE8Hg2kP3i
Ucid4l3B6WyYbv08rmQUiw8qaN6cuLsXo28wbTAdBgNVHQ4EFgQUfjdKh7+yQXIT
DOQqXSirT8A6wNgwHwYDVR0jBBgwFoAUfjdKh7+yQXITDOQqXSirT8A6wNgwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDSAAwRQIgSv0vP5Bbs8t8Obd7f8UMDLL1+ycsKZFEhF11YAox+j0CIQCT
u5ylqIh4kq4WBpvXE/0g5CFZbEyQHb43fon7VZlTcw==
-----END CERTIFICATE-----
`;

const MiB = 1024 * 1024;
const big = randomBytes(3 * MiB + 17);
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const seenRange: (string | undefined)[] = [];
let closedEarly = 0;

async function writeInPieces(res: ServerResponse, data: Uint8Array, piece: number): Promise<void> {
  for (let at = 0; at < data.length; at += piece) {
    if (!res.write(data.subarray(at, at + piece))) await new Promise((r) => res.once('drain', r));
  }
  res.end();
}

const routes: Record<string, Route> = {
  '/big': (req, res) => {
    seenRange.push(req.headers.range);
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const from = m ? Number(m[1]) : 0;
    if (from >= big.length) return void res.writeHead(416, { 'content-range': `bytes */${big.length}` }).end();
    const part = big.subarray(from);
    res.writeHead(m ? 206 : 200, { 'content-length': String(part.length), ...(m ? { 'content-range': `bytes ${from}-${big.length - 1}/${big.length}` } : {}) });
    return writeInPieces(res, part, 100_000);
  },
  '/chunked': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' }); // no length: node:http sends it chunked
    return writeInPieces(res, big, 50_000);
  },
  '/moved': (_req, res) => {
    res.writeHead(302, { location: '/big', 'content-length': '5' });
    res.end('moved');
  },
  '/loop': (_req, res) => {
    res.writeHead(307, { location: '/loop' });
    res.end();
  },
  '/denied': (_req, res) => {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end('{"error":{"code":"URL_EXPIRED","message":"the URL expired"}}');
  },
  '/empty': (_req, res) => {
    res.writeHead(204);
    res.end();
  },
  '/stall': (req, res) => {
    res.writeHead(200, { 'content-length': '1000' });
    res.write('x'.repeat(10));
    req.socket.once('close', () => closedEarly++);
  },
};

let server: Server;
let base: string;
let tlsServer: Server;
let tlsBase: string;
let raw: NetServer;
let rawBase: string;
/** What the raw server answers, by path: pieces written one at a time with a pause between, then the connection is ended. */
const rawAnswers: Record<string, (string | Uint8Array)[]> = {};

beforeAll(async () => {
  const handler = routeHandler(routes);
  server = createServer(handler);
  base = `http://127.0.0.1:${await listen(server)}`;
  tlsServer = createHttpsServer({ key: TEST_KEY, cert: TEST_CERT }, handler);
  tlsBase = `https://127.0.0.1:${await listen(tlsServer)}`;
  raw = createNetServer((socket: Socket) => {
    let head = '';
    socket.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      const path = /^GET (\S+) /.exec(head)?.[1] ?? '';
      const answer = rawAnswers[path];
      if (!answer) return void socket.destroy();
      void (async () => {
        for (const p of answer) {
          socket.write(p);
          await new Promise((r) => setTimeout(r, 2));
        }
        socket.end();
      })();
    });
    socket.on('error', () => undefined);
  });
  rawBase = `http://127.0.0.1:${await listen(raw)}`;
});

afterAll(async () => {
  server.closeAllConnections();
  tlsServer.closeAllConnections();
  await Promise.all([server, tlsServer, raw].map((s) => new Promise((r) => s.close(r))));
});

/**
 * Reads a whole body, copying each chunk (they are only valid until the next read); also returns the chunks' memory.
 * `holdMs`: how long each chunk is held before it is copied, as a sink that writes it to disk would.
 */
async function drain(res: DirectResponse, holdMs = 0): Promise<{ bytes: Buffer; buffers: Set<ArrayBufferLike>; reads: number }> {
  const parts: Buffer[] = [];
  const buffers = new Set<ArrayBufferLike>();
  let reads = 0;
  for (let c; (c = await res.read()) !== null; reads++) {
    buffers.add(c.buffer);
    if (holdMs) await new Promise((r) => setTimeout(r, holdMs));
    parts.push(Buffer.from(c));
  }
  return { bytes: Buffer.concat(parts), buffers, reads };
}

describe('directGet', () => {
  it('reads a Content-Length body into one reused buffer, each chunk intact until the next read', async () => {
    const res = await directGet(`${base}/big`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(big.length));
    const { bytes, buffers, reads } = await drain(res, 2);
    expect(sha(bytes)).toBe(sha(big));
    expect(reads).toBeGreaterThan(1);
    expect(buffers.size).toBe(1);
  });

  it('sends the request headers and exposes the answer headers (a Range request)', async () => {
    const res = await directGet(`${base}/big`, { headers: { Range: 'bytes=1000-' } });
    expect(seenRange.at(-1)).toBe('bytes=1000-');
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 1000-${big.length - 1}/${big.length}`);
    expect(sha((await drain(res)).bytes)).toBe(sha(big.subarray(1000)));
  });

  it('decodes a chunked body', async () => {
    const res = await directGet(`${base}/chunked`);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(sha((await drain(res, 1)).bytes)).toBe(sha(big));
  });

  it('decodes chunk extensions, trailers and lines split across reads', async () => {
    rawAnswers['/split'] = ['HTTP/1.1 200 OK\r\nTransfer-', 'Encoding: chunked\r\n\r', '\n5;ext=1\r', '\nhello\r\n', '1', '0\r\n0123456789abcdef\r\n0\r\nX-Trailer: yes\r\n', '\r\n'];
    const res = await directGet(`${rawBase}/split`);
    expect((await drain(res)).bytes.toString()).toBe('hello0123456789abcdef');
  });

  it('reads until the connection ends when the answer has no length', async () => {
    rawAnswers['/until-close'] = ['HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nfirst ', 'second'];
    const res = await directGet(`${rawBase}/until-close`);
    expect((await drain(res)).bytes.toString()).toBe('first second');
  });

  it('skips an interim 1xx answer', async () => {
    rawAnswers['/interim'] = ['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'];
    const res = await directGet(`${rawBase}/interim`);
    expect(res.status).toBe(200);
    expect((await drain(res)).bytes.toString()).toBe('ok');
  });

  it('follows redirects, and gives up on a loop', async () => {
    const res = await directGet(`${base}/moved`);
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${base}/big`);
    expect(sha((await drain(res)).bytes)).toBe(sha(big));
    await expect(directGet(`${base}/loop`)).rejects.toMatchObject({ name: 'TypeError', cause: { message: 'too many redirects' } });
  });

  it('downloads and describes a failure without touching the Fetch globals, whose first use loads undici', async () => {
    const touched = await fetchGlobalsTouchedBy(async () => {
      let n = 0;
      await downloadPayload(`${base}/big`, async (c) => void (n += c.byteLength), { get: directGet });
      expect(n).toBe(big.length);
      expect((await (await directGet(`${base}/denied`)).toResponse()).status).toBe(403);
    });
    expect(touched).toEqual([]);
  });

  it("gives a failure's status, headers and body as a Response", async () => {
    const res = await directGet(`${base}/denied`);
    expect(res.status).toBe(403);
    const r = await res.toResponse();
    expect(r.status).toBe(403);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(await r.json()).toEqual({ error: { code: 'URL_EXPIRED', message: 'the URL expired' } });
    const empty = await directGet(`${base}/empty`);
    expect(empty.status).toBe(204);
    expect(await empty.read()).toBeNull();
  });

  it('rejects with a TypeError when the body is cut short, the answer is malformed or nobody listens', async () => {
    rawAnswers['/cut'] = ['HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789'];
    const cut = await directGet(`${rawBase}/cut`);
    await expect(drain(cut)).rejects.toMatchObject({ name: 'TypeError', cause: { message: 'connection closed before the body ended' } });

    rawAnswers['/garbage'] = ['HELLO THERE\r\n\r\n'];
    await expect(directGet(`${rawBase}/garbage`)).rejects.toMatchObject({ name: 'TypeError', cause: { message: expect.stringMatching(/malformed status line/) } });

    for (const line of ['No-Colon-Here', 'Bad Name: x', ': empty-name', 'Nul: a\0b']) {
      rawAnswers['/bad-header'] = [`HTTP/1.1 200 OK\r\n${line}\r\nContent-Length: 0\r\n\r\n`];
      await expect(directGet(`${rawBase}/bad-header`), line).rejects.toMatchObject({ name: 'TypeError', cause: { message: expect.stringMatching(/malformed header line/) } });
    }

    rawAnswers['/bad-chunk'] = ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'];
    const bad = await directGet(`${rawBase}/bad-chunk`);
    await expect(drain(bad)).rejects.toMatchObject({ name: 'TypeError', cause: { message: expect.stringMatching(/malformed chunk size/) } });

    rawAnswers['/huge-head'] = [`HTTP/1.1 200 OK\r\nX-Big: ${'x'.repeat(70_000)}\r\n\r\n`];
    await expect(directGet(`${rawBase}/huge-head`)).rejects.toMatchObject({ name: 'TypeError', cause: { message: 'response head too large' } });

    rawAnswers['/huge-chunk-line'] = [`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;${'x'.repeat(2000)}\r\nhello\r\n0\r\n\r\n`];
    const huge = await directGet(`${rawBase}/huge-chunk-line`);
    await expect(drain(huge)).rejects.toMatchObject({ name: 'TypeError', cause: { message: 'chunk header too long' } });

    rawAnswers['/long-chunk'] = ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n'];
    const long = await directGet(`${rawBase}/long-chunk`);
    await expect(drain(long)).rejects.toMatchObject({ name: 'TypeError', cause: { message: 'chunk data longer than its size' } });

    const closed = createNetServer();
    const port = await listen(closed);
    await new Promise((r) => closed.close(r));
    await expect(directGet(`http://127.0.0.1:${port}/x`)).rejects.toMatchObject({ name: 'TypeError', cause: { code: 'ECONNREFUSED' } });
    await expect(directGet('ftp://127.0.0.1/x')).rejects.toThrow(TypeError);
  });

  it('an abort rejects the pending read with the reason and closes the connection', async () => {
    const before = closedEarly;
    const ac = new AbortController();
    const res = await directGet(`${base}/stall`, { signal: ac.signal });
    expect(Buffer.from((await res.read())!).toString()).toBe('x'.repeat(10));
    const pending = res.read();
    const reason = new Error('stop now');
    ac.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect.poll(() => closedEarly).toBe(before + 1);
    await expect(directGet(`${base}/big`, { signal: ac.signal })).rejects.toBe(reason);
  });

  it('speaks https, trusting the CA it is given', async () => {
    const res = await directGet(`${tlsBase}/big`, { ca: TEST_CERT });
    expect(sha((await drain(res)).bytes)).toBe(sha(big));
    // Without that CA the self-signed certificate is refused.
    await expect(directGet(`${tlsBase}/big`)).rejects.toMatchObject({ name: 'TypeError', cause: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } });
  });

  it('lets downloadPayload resume with Range after a dropped connection', async () => {
    rawAnswers['/drop'] = [`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`, big.subarray(0, MiB)];
    let gets = 0;
    const hash = createHash('sha256');
    const result = await downloadPayload(`${rawBase}/drop`, async (chunk) => void hash.update(chunk), {
      // The first GET breaks off after 1 MiB; the retry goes to the full server with a Range.
      get: (url, init) => directGet(gets++ === 0 ? url : `${base}/big`, init),
      backoffMs: 5,
      expectedSize: big.length,
    });
    expect(result.size).toBe(big.length);
    expect(gets).toBe(2);
    expect(seenRange.at(-1)).toBe(`bytes=${MiB}-`);
    expect(hash.digest('hex')).toBe(sha(big));
    // Resumed at the very end: the server's 416 says the object is complete.
    await expect(downloadPayload(`${base}/big`, async () => undefined, { get: directGet, startAt: big.length })).resolves.toEqual({ size: big.length });
  });
});
