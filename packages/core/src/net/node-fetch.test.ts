/** nodeFetch against a real HTTP server on 127.0.0.1: what the SDK relies on from fetch. */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchGlobalsTouchedBy } from '../../test/fetch-globals.js';
import { listen, routeHandler, type Route } from '../../test/route-server.js';
import { nodeFetch } from './node-fetch.js';

let server: Server;
let base: string;
const connections = new Set<unknown>();
let connectionCount = 0;

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

const routes: Record<string, Route> = {
  '/json': (req, res) => {
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.writeHead(201, 'Made', { 'content-type': 'application/json', 'x-method': req.method ?? '' });
    res.end(JSON.stringify({ ok: true, auth: req.headers.authorization ?? null }));
  },
  '/echo': async (req, res) => {
    const body = await bodyOf(req);
    res.writeHead(200, {
      'x-length': req.headers['content-length'] ?? 'none',
      'x-chunked': String(req.headers['transfer-encoding'] === 'chunked'),
      'x-sha': createHash('sha256').update(body).digest('hex'),
    });
    res.end(String(body.length));
  },
  '/empty': (_req, res) => {
    res.writeHead(204);
    res.end();
  },
  '/refuse': (req, res) => {
    // Answers without reading the body, as the hub does for a misplaced piece.
    res.writeHead(409, { 'content-type': 'application/json', connection: 'close' });
    res.end('{"error":{"code":"OFFSET_MISMATCH"}}');
    req.resume();
  },
  '/moved': (_req, res) => {
    res.writeHead(302, { location: '/json' });
    res.end();
  },
  '/temp': (_req, res) => {
    res.writeHead(307, { location: '/echo' });
    res.end();
  },
  '/slow': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first ');
    // Never ends: the client has to abort.
  },
  '/big': (_req, res) => {
    const data = randomBytes(3 * 1024 * 1024);
    res.writeHead(200, { 'content-length': String(data.length), 'x-sha': createHash('sha256').update(data).digest('hex') });
    res.end(data);
  },
};

beforeAll(async () => {
  server = createServer(routeHandler(routes));
  server.on('connection', (s) => {
    connectionCount++;
    connections.add(s);
    s.on('close', () => connections.delete(s));
  });
  base = `http://127.0.0.1:${await listen(server)}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function streamOf(chunks: Uint8Array[], failAfter?: Error): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(ctl) {
      if (i < chunks.length) ctl.enqueue(chunks[i++]!);
      else if (failAfter) ctl.error(failAfter);
      else ctl.close();
    },
  });
}

describe('nodeFetch', () => {
  it('returns status, status text, every header and the body of a JSON answer, sending the given headers', async () => {
    const res = await nodeFetch(`${base}/json`, { method: 'post', headers: { authorization: 'Bearer t' } });
    expect(res.status).toBe(201);
    expect(res.statusText).toBe('Made');
    expect(res.ok).toBe(true);
    expect(res.headers.get('x-method')).toBe('POST');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ ok: true, auth: 'Bearer t' });
  });

  it('answers without touching the Fetch globals, whose first use loads undici', async () => {
    const touched = await fetchGlobalsTouchedBy(async () => {
      const res = await nodeFetch(`${base}/json`, { method: 'POST', headers: [['x-a', '1']], body: 'x' });
      expect(await res.json()).toMatchObject({ ok: true });
      const clone = (await nodeFetch(`${base}/json`)).clone();
      expect(clone.headers.get('content-type')).toBe('application/json');
    });
    expect(touched).toEqual([]);
  });

  it('sends string and byte bodies with their length', async () => {
    const text = await nodeFetch(`${base}/echo`, { method: 'POST', body: 'héllo' });
    expect(text.headers.get('x-length')).toBe('6');
    expect(await text.text()).toBe('6');
    const bytes = randomBytes(70_000);
    const res = await nodeFetch(`${base}/echo`, { method: 'PUT', body: bytes });
    expect(res.headers.get('x-sha')).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(res.headers.get('x-length')).toBe('70000');
  });

  it('streams a web ReadableStream body with its Content-Length, or chunked without one', async () => {
    const chunks = [randomBytes(1 << 20), randomBytes(5), randomBytes(300_000)];
    const sha = createHash('sha256').update(Buffer.concat(chunks)).digest('hex');
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const sized = await nodeFetch(`${base}/echo`, { method: 'PUT', headers: { 'Content-Length': String(total) }, body: streamOf(chunks), duplex: 'half' } as RequestInit);
    expect(sized.headers.get('x-sha')).toBe(sha);
    expect(sized.headers.get('x-length')).toBe(String(total));
    await sized.text();
    const chunked = await nodeFetch(`${base}/echo`, { method: 'PUT', body: streamOf(chunks), duplex: 'half' } as RequestInit);
    expect(chunked.headers.get('x-sha')).toBe(sha);
    expect(chunked.headers.get('x-chunked')).toBe('true');
    await chunked.text();
  });

  it('streams a large answer body intact', async () => {
    const res = await nodeFetch(`${base}/big`);
    const hash = createHash('sha256');
    let n = 0;
    for await (const chunk of res.body!) {
      hash.update(chunk);
      n += chunk.byteLength;
    }
    expect(n).toBe(3 * 1024 * 1024);
    expect(hash.digest('hex')).toBe(res.headers.get('x-sha'));
  });

  it('rejects with a TypeError whose cause is the source failure when a streamed body fails', async () => {
    const boom = new Error('source broke');
    const err = await nodeFetch(`${base}/echo`, { method: 'PUT', body: streamOf([randomBytes(1000)], boom), duplex: 'half' } as RequestInit).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as TypeError).cause).toBe(boom);
  });

  it('resolves with an early refusal instead of sending the rest of a large body', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(ctl) {
        pulled++;
        ctl.enqueue(new Uint8Array(256 * 1024));
      },
    });
    const res = await nodeFetch(`${base}/refuse`, { method: 'PUT', headers: { 'Content-Length': String(1 << 30) }, body: endless, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: { code: 'OFFSET_MISMATCH' } });
    // The 1 GiB body was given up on: far fewer than 4096 chunks were read.
    expect(pulled).toBeLessThan(1000);
  });

  it('gives a null body for 204 and HEAD', async () => {
    const empty = await nodeFetch(`${base}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    const head = await nodeFetch(`${base}/json`, { method: 'HEAD' });
    expect(head.status).toBe(201);
    expect(head.body).toBeNull();
  });

  it('rejects with a TypeError when nothing listens', async () => {
    const probe = createServer();
    const port = await listen(probe);
    await new Promise((r) => probe.close(r));
    const err = await nodeFetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(((err as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('rejects with the signal reason when aborted before the answer, and errors the body when aborted while reading', async () => {
    const before = new AbortController();
    before.abort();
    await expect(nodeFetch(`${base}/json`, { signal: before.signal })).rejects.toMatchObject({ name: 'AbortError' });

    const during = new AbortController();
    const res = await nodeFetch(`${base}/slow`, { signal: during.signal });
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('first ');
    const next = reader.read();
    during.abort();
    await expect(next).rejects.toMatchObject({ name: 'AbortError' });

    const timeout = await nodeFetch(`${base}/slow`, { signal: AbortSignal.timeout(50) }).then((r) => r.text()).catch((e: unknown) => e);
    expect((timeout as Error).name).toBe('TimeoutError');
  });

  it('follows a redirect for a body it can send again, refuses one for a streamed body, and returns it with redirect "manual"', async () => {
    const followed = await nodeFetch(`${base}/moved`);
    expect(followed.status).toBe(201);
    expect(await followed.json()).toMatchObject({ ok: true });
    const replayed = await nodeFetch(`${base}/temp`, { method: 'PUT', body: 'again' });
    expect(await replayed.text()).toBe('5');
    const streamed = await nodeFetch(`${base}/temp`, { method: 'PUT', body: streamOf([randomBytes(10)]), duplex: 'half' } as RequestInit).catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(TypeError);
    const manual = await nodeFetch(`${base}/moved`, { redirect: 'manual' });
    expect(manual.status).toBe(302);
    expect(manual.headers.get('location')).toBe('/json');
  });

  it('keeps the connection alive across requests whose bodies were read', async () => {
    await (await nodeFetch(`${base}/json`)).text();
    const before = connectionCount;
    for (let i = 0; i < 5; i++) await (await nodeFetch(`${base}/json`)).text();
    expect(connectionCount - before).toBeLessThanOrEqual(1);
  });

  it('reuses the connection when a small answer body is cancelled, and drops it when a large one still arriving is', async () => {
    await (await nodeFetch(`${base}/json`)).text();
    const before = connectionCount;
    for (let i = 0; i < 5; i++) {
      const res = await nodeFetch(`${base}/echo`, { method: 'PUT', body: streamOf([randomBytes(100_000)]), duplex: 'half' } as RequestInit);
      // Lets the parser take the few body bytes after the headers (an upload piece's answer brings them in the same packet).
      await new Promise((r) => setImmediate(r));
      await res.body?.cancel();
    }
    expect(connectionCount - before).toBeLessThanOrEqual(1);
    const open = connections.size;
    const big = await nodeFetch(`${base}/big`);
    await big.body?.cancel();
    await new Promise((r) => setTimeout(r, 50));
    expect(connections.size).toBe(open - 1);
  });
});
