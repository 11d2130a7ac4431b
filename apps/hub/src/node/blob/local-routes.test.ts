/**
 * The local-disk store and its signed routes on a real HTTP server, driven by
 * the real SDK transfer client: pieces, dropped connections, expiring URLs,
 * Range resume, and every way a URL can be refused.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { serve } from '@hono/node-server';
import type { ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadPayload, uploadPayload } from '../../../../../packages/core/src/sdk/transfer.js';
import type { UploadTarget } from '../../blob/types.js';
import { openFileStream } from './file-stream.js';
import { localBlobRoutes } from './local-routes.js';
import { LocalBlobStore } from './local-store.js';

const MiB = 1024 * 1024;
let dir: string;
let server: ServerType;
let store: LocalBlobStore;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dme-blob-'));
  const app = new Hono();
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  store = new LocalBlobStore({ root: join(dir, 'blobs'), secret: 'test-secret-0123456789abcdef', baseUrl: `${base}/v1/blob` });
  app.route('/v1/blob', localBlobRoutes(store));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

async function payload(name: string, size: number): Promise<{ path: string; sha: string; open: (o: number) => Promise<ReadableStream<Uint8Array>> }> {
  const path = join(dir, name);
  const bytes = randomBytes(size);
  await writeFile(path, bytes);
  const sha = createHash('sha256').update(bytes).digest('hex');
  return { path, sha, open: (offset) => openFileStream(path, { start: offset }) };
}

async function storedSha(key: string): Promise<string> {
  return createHash('sha256').update(await readFile(join(dir, 'blobs', ...key.split('/')))).digest('hex');
}

/** A fetch whose `n`-th PUT (1-based) is cut off by the client after `after` body bytes. */
function cuttingFetch(n: number, after: number, log: string[]): typeof fetch {
  let puts = 0;
  return async (input, init) => {
    log.push(`${init?.method ?? 'GET'} ${(init?.headers as Record<string, string> | undefined)?.['Content-Range'] ?? ''}`);
    if (init?.method !== 'PUT' || ++puts !== n || !(init.body instanceof ReadableStream)) {
      const res = await fetch(input, init);
      if (res.status === 409) log.push(`  409 ${((await res.clone().json()) as { error: { code: string } }).error.code}`);
      return res;
    }
    const abort = new AbortController();
    let seen = 0;
    const body = (init.body as ReadableStream<Uint8Array>).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, ctrl) {
          seen += chunk.byteLength;
          if (seen > after) abort.abort();
          else ctrl.enqueue(chunk);
        },
      }),
    );
    return fetch(input, { ...init, body, signal: abort.signal });
  };
}

describe('local blob store over HTTP', () => {
  it('uploads a multi-MiB payload in pieces and stores it byte for byte', async () => {
    const src = await payload('p1', 6 * MiB + 123);
    const key = 'prod1/ds1/rel1';
    const target = await store.createUpload(key, { size: 6 * MiB + 123, expiresInSec: 300 });
    const seen: number[] = [];
    const log: string[] = [];
    await uploadPayload(target, src.open, 6 * MiB + 123, { pieceSize: 2 * MiB, onProgress: (s) => seen.push(s), fetch: cuttingFetch(0, 0, log) });
    expect(log.filter((l) => l.startsWith('PUT'))).toHaveLength(4);
    expect(seen.at(-1)).toBe(6 * MiB + 123);
    expect(await store.head(key)).toBeNull();
    expect(await store.completeUpload(key)).toEqual({ size: 6 * MiB + 123 });
    expect(await storedSha(key)).toBe(src.sha);
  });

  it('resumes from the stored offset after the connection is cut mid-piece', async () => {
    const size = 5 * MiB;
    const src = await payload('p2', size);
    const key = 'prod1/ds1/rel2';
    const target = await store.createUpload(key, { size, expiresInSec: 300 });
    const log: string[] = [];
    await uploadPayload(target, src.open, size, { pieceSize: 2 * MiB, backoffMs: 20, fetch: cuttingFetch(2, MiB / 2, log) });
    // Pieces 0-2, 2-4 (cut after ~0.5 MiB), <resume>-4, 4-5: the resumed piece starts where the store stopped.
    // The HEAD after the cut may run while the hub still finishes the cut request: a PUT can then meet
    // UPLOAD_BUSY (that request still writing) or OFFSET_MISMATCH (its bytes landed after the HEAD), both
    // 409s that carry what to do next, and the upload goes on from the stored offset.
    const refused = (l: string | undefined): boolean => l === '  409 OFFSET_MISMATCH' || l === '  409 UPLOAD_BUSY';
    const puts = log.filter((l, i) => l.startsWith('PUT') && !refused(log[i + 1]));
    expect(log.filter((l) => l.startsWith('  409')).every(refused)).toBe(true);
    expect(log.filter(refused).length).toBeLessThanOrEqual(2);
    expect(puts.length).toBe(4);
    const resumedStart = Number(/bytes (\d+)-/.exec(puts[2] ?? '')?.[1]);
    // How much of the cut piece reached the disk depends on timing (the hub writes in 1 MiB
    // blocks and may have received nothing yet): the resumed piece starts within that piece.
    expect(resumedStart).toBeGreaterThanOrEqual(2 * MiB);
    expect(resumedStart).toBeLessThanOrEqual(2 * MiB + MiB / 2);
    expect(log.filter((l) => l.startsWith('HEAD')).length).toBe(2);
    await store.completeUpload(key);
    expect(await storedSha(key)).toBe(src.sha);
  });

  it('renews an upload URL that expires mid-transfer', async () => {
    const size = 3 * MiB;
    const src = await payload('p3', size);
    const key = 'prod1/ds1/rel3';
    const target = await store.createUpload(key, { size, expiresInSec: 1 });
    let renewed = 0;
    let puts = 0;
    const slow: typeof fetch = async (input, init) => {
      // Let the one-second URL lapse before the second piece goes out.
      if (init?.method === 'PUT' && ++puts === 2) await new Promise((r) => setTimeout(r, 1100));
      return fetch(input, init);
    };
    const renew = async (): Promise<UploadTarget> => {
      renewed++;
      return store.renewUpload(key, { size, expiresInSec: 300 });
    };
    await uploadPayload(target, src.open, size, { pieceSize: MiB, fetch: slow, renew, backoffMs: 10 });
    expect(renewed).toBe(1);
    await store.completeUpload(key);
    expect(await storedSha(key)).toBe(src.sha);
  });

  it('fails clearly when a URL expires and there is no way to renew it', async () => {
    const key = 'prod1/ds1/rel4';
    const src = await payload('p4', 1000);
    const target = await store.createUpload(key, { size: 1000, expiresInSec: 1 });
    await new Promise((r) => setTimeout(r, 1100));
    await expect(uploadPayload(target, src.open, 1000, {})).rejects.toMatchObject({ code: 'HTTP_ERROR', status: 403, remoteCode: 'URL_EXPIRED' });
  });

  it('downloads with Range resume after a dropped connection and an expired URL', async () => {
    const key = 'prod1/ds1/rel1';
    const src = createHash('sha256').update(await readFile(join(dir, 'p1'))).digest('hex');
    const ranges: string[] = [];
    let gets = 0;
    const flaky: typeof fetch = async (input, init) => {
      gets++;
      ranges.push((init?.headers as Record<string, string> | undefined)?.Range ?? '');
      const res = await fetch(input, init);
      if (gets !== 1 || !res.body) return res;
      // First response breaks off after 1 MiB, as a dropped connection would.
      let seen = 0;
      const cut = res.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, ctrl) {
            seen += chunk.byteLength;
            if (seen > MiB) throw new TypeError('terminated');
            ctrl.enqueue(chunk);
          },
        }),
      );
      return new Response(cut, { status: res.status, headers: res.headers });
    };
    const first = await store.downloadUrl(key, { expiresInSec: 1 });
    const hash = createHash('sha256');
    let renewed = 0;
    const result = await downloadPayload(first.url, async (chunk) => void hash.update(chunk), {
      fetch: async (input, init) => {
        if (gets === 1) await new Promise((r) => setTimeout(r, 1100)); // the URL lapses before the resume
        return flaky(input, init);
      },
      renew: async () => {
        renewed++;
        return (await store.downloadUrl(key, { expiresInSec: 300 })).url;
      },
      backoffMs: 10,
      expectedSize: 6 * MiB + 123,
    });
    expect(result.size).toBe(6 * MiB + 123);
    expect(hash.digest('hex')).toBe(src);
    expect(renewed).toBe(1);
    expect(ranges[0]).toBe('');
    expect(ranges.at(-1)).toMatch(/^bytes=\d+-$/);
    expect(Number(/=(\d+)-/.exec(ranges.at(-1) ?? '')?.[1])).toBeGreaterThan(0);
  });

  it('serves ranges: 206 with Content-Range, suffix ranges, 416 past the end', async () => {
    const key = 'prod1/ds1/rel1';
    const { url } = await store.downloadUrl(key, { expiresInSec: 60 });
    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('Content-Length')).toBe(String(6 * MiB + 123));
    await whole.body?.cancel();
    const part = await fetch(url, { headers: { Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('Content-Range')).toBe(`bytes 10-19/${6 * MiB + 123}`);
    const expected = (await readFile(join(dir, 'p1'))).subarray(10, 20);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(new Uint8Array(expected));
    const suffix = await fetch(url, { headers: { Range: 'bytes=-5' } });
    expect(suffix.status).toBe(206);
    expect((await suffix.arrayBuffer()).byteLength).toBe(5);
    const past = await fetch(url, { headers: { Range: `bytes=${6 * MiB + 123}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('Content-Range')).toBe(`bytes */${6 * MiB + 123}`);
  });
  it('lets go of the object when a client leaves mid-download, and serves the next one whole', async () => {
    // Far more than loopback socket buffers hold, so the hub is still sending when the client leaves.
    const key = 'prod1/ds1/big';
    const object = join(dir, 'blobs', ...key.split('/'));
    const bytes = randomBytes(64 * MiB);
    await mkdir(dirname(object), { recursive: true });
    await writeFile(object, bytes);
    const openOnObject = async (): Promise<number> => {
      let n = 0;
      for (const fd of await readdir('/proc/self/fd')) if ((await readlink(`/proc/self/fd/${fd}`).catch(() => '')) === object) n++;
      return n;
    };
    const { url } = await store.downloadUrl(key, { expiresInSec: 60 });
    const res = await fetch(url);
    const reader = res.body!.getReader();
    let seen = 0;
    while (seen < MiB) seen += (await reader.read()).value?.byteLength ?? MiB;
    expect(await openOnObject()).toBe(1);
    await reader.cancel();
    for (let i = 0; i < 100 && (await openOnObject()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await openOnObject()).toBe(0);
    const again = createHash('sha256').update(new Uint8Array(await (await fetch(url)).arrayBuffer())).digest('hex');
    expect(again).toBe(createHash('sha256').update(bytes).digest('hex'));
  });
});

describe('signed URL checks', () => {
  it('refuses forged, expired, wrong-method and wrong-key URLs with 403 and a code', async () => {
    const key = 'prod1/ds1/rel1';
    const { url } = await store.downloadUrl(key, { expiresInSec: 60 });
    const code = async (res: Response): Promise<[number, string]> => [res.status, ((await res.json()) as { error: { code: string } }).error.code];

    const forged = new URL(url);
    const sig = forged.searchParams.get('sig') ?? '';
    forged.searchParams.set('sig', (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1));
    expect(await code(await fetch(forged))).toEqual([403, 'BAD_SIGNATURE']);

    const longer = new URL(url);
    longer.searchParams.set('exp', String(Number(longer.searchParams.get('exp')) + 3600));
    expect(await code(await fetch(longer))).toEqual([403, 'BAD_SIGNATURE']);

    expect(await code(await fetch(url.replace('/rel1?', '/rel2?')))).toEqual([403, 'BAD_SIGNATURE']);
    expect(await code(await fetch(url, { method: 'PUT', body: 'x' }))).toEqual([403, 'WRONG_METHOD']);
    expect(await code(await fetch(url.split('?')[0] ?? ''))).toEqual([403, 'BAD_SIGNATURE']);

    const old = await store.signer.signUrl(`${base}/v1/blob`, 'GET', key, { expiresInSec: 60, now: Date.now() - 120_000 });
    expect(await code(await fetch(old.url))).toEqual([403, 'URL_EXPIRED']);
  });

  it('refuses keys that could escape the store root', async () => {
    for (const bad of ['../x', '/etc/passwd', 'a/../../b', 'a//b', '.staging/x', 'a\\b', '', 'a/./b']) {
      await expect(store.createUpload(bad, { size: 1, expiresInSec: 60 }), bad).rejects.toMatchObject({ code: 'INVALID_KEY' });
    }
    // Encoded separators reach the route as one key with '..' in it: refused before any signature check.
    const sneaky = await fetch(`${base}/v1/blob/prod1/a%2F..%2F..%2Fetc?m=GET&exp=9999999999&sig=${'A'.repeat(43)}`);
    expect(sneaky.status).toBe(400);
    expect(((await sneaky.json()) as { error: { code: string } }).error.code).toBe('INVALID_KEY');
  });

  it('answers 409 with the current offset when a piece starts elsewhere', async () => {
    const key = 'prod1/ds1/rel9';
    const target = await store.createUpload(key, { size: 100, expiresInSec: 60 });
    if (target.kind !== 'single') throw new Error('expected a single target');
    const ok = await fetch(target.url, { method: 'PUT', body: new Uint8Array(40), headers: { 'Content-Range': 'bytes 0-39/100' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('Upload-Offset')).toBe('40');
    const wrong = await fetch(target.url, { method: 'PUT', body: new Uint8Array(10), headers: { 'Content-Range': 'bytes 60-69/100' } });
    expect(wrong.status).toBe(409);
    expect(wrong.headers.get('Upload-Offset')).toBe('40');
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('OFFSET_MISMATCH');
    const status = await fetch(target.statusUrl, { method: 'HEAD' });
    expect(status.headers.get('Upload-Offset')).toBe('40');
    await expect(store.completeUpload(key)).rejects.toMatchObject({ code: 'UPLOAD_INCOMPLETE' });
    const tooLong = await fetch(target.url, { method: 'PUT', body: new Uint8Array(20), headers: { 'Content-Range': 'bytes 40-49/100' } });
    expect(tooLong.status).toBe(400);
    expect((await fetch(target.statusUrl, { method: 'HEAD' })).headers.get('Upload-Offset')).toBe('40');
  });
});
