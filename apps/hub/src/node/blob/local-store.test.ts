/** LocalBlobStore on a real directory: staging, atomic completion, abort, delete, whole-body restarts. */
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStoreFromDir } from './factories.js';
import { localBlobRoutes } from './local-routes.js';
import { LocalBlobStore } from './local-store.js';

let dir: string;
let store: LocalBlobStore;
let server: ServerType;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dme-local-'));
  const app = new Hono();
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  store = localStoreFromDir(dir, 'local-store-test-secret', `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  app.route('/v1/blob', localBlobRoutes(store));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

async function text(stream: ReadableStream<Uint8Array> | null): Promise<string> {
  return stream ? new Response(stream).text() : '<null>';
}

describe('LocalBlobStore', () => {
  it('points its URLs at /v1/blob and keeps uploads invisible until completed', async () => {
    const target = await store.createUpload('p/d/r1', { size: 5, expiresInSec: 60 });
    if (target.kind !== 'single') throw new Error('expected single');
    expect(new URL(target.url).pathname).toBe('/v1/blob/p/d/r1');
    const put = await fetch(target.url, { method: 'PUT', body: 'hello' });
    expect(put.status).toBe(200);
    expect(await store.head('p/d/r1')).toBeNull();
    expect(await store.read('p/d/r1')).toBeNull();
    expect(await store.completeUpload('p/d/r1')).toEqual({ size: 5 });
    expect(await text(await store.read('p/d/r1'))).toBe('hello');
    expect(await text(await store.read('p/d/r1', { start: 1, end: 3 }))).toBe('ell');
    expect(await readdir(join(dir, '.staging'))).toEqual([]);
    const status = await fetch(target.statusUrl, { method: 'HEAD' });
    expect(status.headers.get('Upload-Complete')).toBe('?1');
    expect(status.headers.get('Upload-Offset')).toBe('5');
  });

  it('restarts from byte 0 on a whole-body PUT', async () => {
    const target = await store.createUpload('p/d/r2', { size: 8, expiresInSec: 60 });
    if (target.kind !== 'single') throw new Error('expected single');
    await fetch(target.url, { method: 'PUT', body: 'abcd', headers: { 'Content-Range': 'bytes 0-3/8' } });
    expect((await store.uploadStatus('p/d/r2')).offset).toBe(4);
    expect((await fetch(target.url, { method: 'PUT', body: '12345678' })).status).toBe(200);
    await store.completeUpload('p/d/r2');
    expect(await text(await store.read('p/d/r2'))).toBe('12345678');
    const short = await fetch(target.url, { method: 'PUT', body: 'abc' });
    expect(short.status).toBe(404); // completed: no upload left to write into
  });

  it('aborts, deletes, and refuses to renew with another size', async () => {
    await store.createUpload('p/d/r3', { size: 10, expiresInSec: 60 });
    await expect(store.renewUpload('p/d/r3', { size: 11, expiresInSec: 60 })).rejects.toMatchObject({ code: 'SIZE_MISMATCH' });
    await store.abortUpload('p/d/r3', {});
    await expect(store.uploadStatus('p/d/r3')).rejects.toMatchObject({ code: 'NO_UPLOAD' });
    await expect(store.completeUpload('p/d/r3')).rejects.toMatchObject({ code: 'NO_UPLOAD' });
    await store.delete('p/d/r1');
    expect(await store.head('p/d/r1')).toBeNull();
    await store.delete('p/d/r1');
    await expect(store.createUpload('p/d/r4', { size: -1, expiresInSec: 60 })).rejects.toMatchObject({ code: 'INVALID_SIZE' });
    expect(await store.listParts()).toEqual([]);
  });

  it('accepts a payload of random bytes written by several pieces in order', async () => {
    const bytes = randomBytes(3000);
    const target = await store.createUpload('p/d/r5', { size: 3000, expiresInSec: 60 });
    if (target.kind !== 'single') throw new Error('expected single');
    for (let at = 0; at < 3000; at += 1000) {
      const res = await fetch(target.url, { method: 'PUT', body: bytes.subarray(at, at + 1000), headers: { 'Content-Range': `bytes ${at}-${at + 999}/3000` } });
      expect(res.headers.get('Upload-Offset')).toBe(String(at + 1000));
    }
    await store.completeUpload('p/d/r5');
    const back = new Uint8Array(await new Response(await store.read('p/d/r5')).arrayBuffer());
    expect(Buffer.from(back).equals(bytes)).toBe(true);
  });
});

describe('LocalBlobStore running digest', () => {
  const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
  async function* body(...chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
    yield* chunks;
  }
  async function putPieces(key: string, bytes: Buffer<ArrayBuffer>, piece: number): Promise<void> {
    const target = await store.createUpload(key, { size: bytes.byteLength, expiresInSec: 60 });
    if (target.kind !== 'single') throw new Error('expected single');
    for (let at = 0; at < bytes.byteLength; at += piece) {
      const end = Math.min(at + piece, bytes.byteLength) - 1;
      const res = await fetch(target.url, { method: 'PUT', body: bytes.subarray(at, end + 1), headers: { 'Content-Range': `bytes ${at}-${end}/${bytes.byteLength}` } });
      expect(res.status).toBe(200);
    }
  }

  it('reports the SHA-256 of pieces hashed on arrival, only when asked', async () => {
    const bytes = randomBytes(300_000);
    await putPieces('p/h/r1', bytes, 70_000);
    expect(await store.completeUpload('p/h/r1', { withDigest: true })).toEqual({ size: 300_000, sha256: sha(bytes) });
    const empty = await store.createUpload('p/h/r2', { size: 0, expiresInSec: 60 });
    if (empty.kind !== 'single') throw new Error('expected single');
    expect((await fetch(empty.url, { method: 'PUT', body: new Uint8Array(0) })).status).toBe(200);
    expect(await store.completeUpload('p/h/r2', { withDigest: true })).toEqual({ size: 0, sha256: sha(new Uint8Array(0)) });
  });

  it('covers a whole-body restart and a piece resumed after a broken connection', async () => {
    const bytes = randomBytes(200_000);
    const target = await store.createUpload('p/h/r3', { size: 200_000, expiresInSec: 60 });
    if (target.kind !== 'single') throw new Error('expected single');
    await fetch(target.url, { method: 'PUT', body: randomBytes(50_000), headers: { 'Content-Range': 'bytes 0-49999/200000' } });
    expect((await fetch(target.url, { method: 'PUT', body: bytes })).status).toBe(200);
    expect((await store.completeUpload('p/h/r3', { withDigest: true })).sha256).toBe(sha(bytes));

    await store.createUpload('p/h/r4', { size: 200_000, expiresInSec: 60 });
    // A body that breaks off keeps (and has hashed) the bytes that arrived.
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(0, 30_000);
      throw new Error('connection reset');
    }
    await expect(store.writePiece('p/h/r4', 0, 100_000, 200_000, broken())).rejects.toMatchObject({ code: 'BODY_INCOMPLETE' });
    expect((await store.uploadStatus('p/h/r4')).offset).toBe(30_000);
    await store.writePiece('p/h/r4', 30_000, 170_000, 200_000, body(bytes.subarray(30_000)));
    expect((await store.completeUpload('p/h/r4', { withDigest: true })).sha256).toBe(sha(bytes));
  });

  it('falls back (no digest) after a restart of the store or when the staging file changed behind it', async () => {
    const bytes = randomBytes(100_000);
    // Another instance on the same directory (a restarted hub) finishes the upload.
    const restarted = new LocalBlobStore({ root: dir, secret: 'local-store-test-secret', baseUrl: 'http://127.0.0.1:1/v1/blob' });
    await restarted.createUpload('p/h/r6', { size: 100_000, expiresInSec: 60 });
    await restarted.writePiece('p/h/r6', 0, 40_000, 100_000, body(bytes.subarray(0, 40_000)));
    const fresh = new LocalBlobStore({ root: dir, secret: 'local-store-test-secret', baseUrl: 'http://127.0.0.1:1/v1/blob' });
    await fresh.writePiece('p/h/r6', 40_000, 60_000, 100_000, body(bytes.subarray(40_000)));
    expect(await fresh.completeUpload('p/h/r6', { withDigest: true })).toEqual({ size: 100_000 });

    await store.createUpload('p/h/r7', { size: 100_000, expiresInSec: 60 });
    await store.writePiece('p/h/r7', 0, 50_000, 100_000, body(bytes.subarray(0, 50_000)));
    await appendFile(join(dir, '.staging', encodeURIComponent('p/h/r7')), bytes.subarray(50_000));
    expect(await store.completeUpload('p/h/r7', { withDigest: true })).toEqual({ size: 100_000 });
  });
});
