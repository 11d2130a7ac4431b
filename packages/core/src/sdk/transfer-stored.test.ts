/**
 * uploadPayload's `onStored`: what a caller holding the payload in memory may
 * let go. Against a real HTTP server on 127.0.0.1 that keeps what it is sent:
 * pieces of a single target (one cut short mid-piece and resumed), and
 * multipart parts finishing out of order.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadPayload, type UploadTarget } from './transfer.js';

let server: Server;
let base: string;
let handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A source that records which offsets were opened. */
function source(bytes: Uint8Array, opened: number[]): (offset: number) => ReadableStream<Uint8Array> {
  return (offset) => {
    opened.push(offset);
    return new ReadableStream<Uint8Array>({
      start(c) {
        for (let at = offset; at < bytes.length; at += 700) c.enqueue(bytes.subarray(at, Math.min(at + 700, bytes.length)));
        c.close();
      },
    });
  };
}

const later = (): string => new Date(Date.now() + 60_000).toISOString();

describe('uploadPayload onStored', () => {
  it('single target: reports each confirmed offset, growing, and never opens the source below one', async () => {
    const data = randomBytes(10_000);
    let kept = Buffer.alloc(0);
    let cut = true;
    handler = (req, res, body) => {
      if (req.method === 'HEAD') return res.writeHead(200, { 'Upload-Offset': String(kept.length) }).end();
      // The second piece is cut short: the store keeps a prefix and says so when asked.
      const take = cut && kept.length === 3000 ? body.subarray(0, 1234) : body;
      if (take !== body) cut = false;
      kept = Buffer.concat([kept, take]);
      if (take !== body) return res.writeHead(500).end();
      res.writeHead(200, { 'Upload-Offset': String(kept.length) }).end();
    };
    const stored: number[] = [];
    const opened: number[] = [];
    const target: UploadTarget = { kind: 'single', url: `${base}/put`, statusUrl: `${base}/status`, expiresAt: later() };
    await uploadPayload(target, source(data, opened), data.length, { pieceSize: 3000, backoffMs: 1, onStored: (n) => stored.push(n) });
    expect(kept.equals(data)).toBe(true);
    expect(stored).toEqual([3000, 7234, 10_000]);
    expect(opened).toEqual([0, 3000, 4234, 7234]);
  });

  it('multipart: reports only the prefix of parts all stored, whatever order they finish in', async () => {
    const data = randomBytes(5 * 1000 + 10);
    const parts = new Map<number, Buffer>();
    handler = (req, res, body) => {
      const n = Number(new URL(req.url ?? '', base).searchParams.get('n'));
      // Part 1 answers last: nothing may be released before it.
      setTimeout(() => {
        parts.set(n, body);
        res.writeHead(200, { ETag: `"p${n}"` }).end();
      }, n === 1 ? 80 : 1);
    };
    const target: UploadTarget = {
      kind: 'multipart',
      uploadId: 'u1',
      partSize: 1000,
      parts: [1, 2, 3, 4, 5, 6].map((n) => ({ partNumber: n, url: `${base}/part?n=${n}` })),
      expiresAt: later(),
    };
    const stored: number[] = [];
    const done: number[] = [];
    const early: string[] = [];
    await uploadPayload(target, source(data, []), data.length, {
      concurrency: 3,
      maxInFlightBytes: 3000,
      onPartUploaded: (p) => done.push(p.partNumber),
      onStored: (n) => {
        stored.push(n);
        // Every part holding a byte below n must already be stored.
        for (let p = 1; p <= Math.ceil(n / 1000); p++) if (!done.includes(p)) early.push(`${n} before part ${p}`);
      },
    });
    expect(Buffer.concat([1, 2, 3, 4, 5, 6].map((n) => parts.get(n)!)).equals(data)).toBe(true);
    expect(done[0]).not.toBe(1);
    expect(stored[0]).toBeGreaterThanOrEqual(1000);
    expect(stored.at(-1)).toBe(data.length);
    for (let i = 1; i < stored.length; i++) expect(stored[i]).toBeGreaterThan(stored[i - 1]!);
    expect(early).toEqual([]);
  });
});
