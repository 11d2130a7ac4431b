/** LocalBlobStore on a real directory: staging, atomic completion, abort, delete, whole-body restarts. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStoreFromDir } from './factories.js';
import { localBlobRoutes } from './local-routes.js';
import type { LocalBlobStore } from './local-store.js';

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
