/**
 * The S3 store against a real S3 implementation (s3rver, in-process on
 * 127.0.0.1), driven by the real SDK transfer client through presigned URLs:
 * single PUT, multipart with a failed part retried, resume skipping stored
 * parts, URL expiry renewal, and one bucket per producer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { HeadObjectCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
// @ts-expect-error -- s3rver ships no type declarations; the part we use is typed below.
import S3rverUntyped from 's3rver';
import { directGet } from '@dme/core/net/direct-get';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadPayload, uploadPayload } from '../../../../../packages/core/src/sdk/transfer.js';
import type { UploadedPart } from '../../blob/types.js';
import { openFileStream } from './file-stream.js';
import { S3BlobStore } from './s3-store.js';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
const S3rver = S3rverUntyped as new (opts: { port: number; address: string; directory: string; silent: boolean }) => S3rverInstance;

const MiB = 1024 * 1024;
let dir: string;
let s3rver: S3rverInstance;
let client: S3Client;
let store: S3BlobStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dme-s3-'));
  s3rver = new S3rver({ port: 0, address: '127.0.0.1', directory: join(dir, 's3'), silent: true });
  const { port } = await s3rver.run();
  client = new S3Client({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  store = new S3BlobStore({ client, bucket: 'dme-test', partSize: 5 * MiB });
});

afterAll(async () => {
  client.destroy();
  await s3rver.close();
  await rm(dir, { recursive: true, force: true });
});

async function payload(name: string, size: number): Promise<{ sha: string; open: (o: number) => Promise<ReadableStream<Uint8Array>> }> {
  const path = join(dir, name);
  const bytes = randomBytes(size);
  await writeFile(path, bytes);
  return {
    sha: createHash('sha256').update(bytes).digest('hex'),
    open: (offset) => openFileStream(path, { start: offset }),
  };
}

/** Downloads through the presigned URL twice, with fetch and with the in-place GET the pull uses; both must agree. */
async function downloadedSha(s: S3BlobStore, key: string, size: number): Promise<string> {
  const { url } = await s.downloadUrl(key, { expiresInSec: 60 });
  const shas: string[] = [];
  for (const how of [{}, { get: directGet }]) {
    const hash = createHash('sha256');
    const result = await downloadPayload(url, async (c) => void hash.update(c), { expectedSize: size, ...how });
    expect(result.size).toBe(size);
    shas.push(hash.digest('hex'));
  }
  expect(shas[1]).toBe(shas[0]);
  return shas[0]!;
}

function partOf(url: string): number {
  return Number(new URL(url).searchParams.get('partNumber'));
}

/** A fetch that cuts the body of the listed part uploads (each entry once per listing) after 1 MiB. */
function cuttingFetch(cuts: number[], log: number[]): typeof fetch {
  const pending = [...cuts];
  return async (input, init) => {
    const part = partOf(String(input));
    if (init?.method === 'PUT') log.push(part);
    const at = pending.indexOf(part);
    if (init?.method !== 'PUT' || at < 0 || !(init.body instanceof ReadableStream)) return fetch(input, init);
    pending.splice(at, 1);
    const abort = new AbortController();
    let seen = 0;
    const body = (init.body as ReadableStream<Uint8Array>).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, ctrl) {
          seen += chunk.byteLength;
          if (seen > MiB) abort.abort();
          else ctrl.enqueue(chunk);
        },
      }),
    );
    return fetch(input, { ...init, body, signal: abort.signal });
  };
}

describe('S3 blob store (s3rver)', () => {
  it('uploads a small payload with one presigned PUT, invisible until completed', async () => {
    const size = MiB + 17;
    const src = await payload('s1', size);
    const key = 'prod1/ds1/small';
    const target = await store.createUpload(key, { size, expiresInSec: 60 });
    expect(target.kind).toBe('single');
    let last = 0;
    await uploadPayload(target, src.open, size, { onProgress: (s) => (last = s) });
    expect(last).toBe(size);
    expect(await store.head(key)).toBeNull();
    expect(await store.completeUpload(key, {})).toEqual({ size });
    expect(await downloadedSha(store, key, size)).toBe(src.sha);
    const read = await store.read(key);
    const hash = createHash('sha256');
    for await (const chunk of Readable.fromWeb(read as never)) hash.update(chunk as Uint8Array);
    expect(hash.digest('hex')).toBe(src.sha);
  });

  it('uploads multipart and retries a part whose connection broke', async () => {
    const size = 12 * MiB + 7;
    const src = await payload('m1', size);
    const key = 'prod1/ds1/multi';
    const target = await store.createUpload(key, { size, expiresInSec: 60 });
    if (target.kind !== 'multipart') throw new Error('expected multipart');
    expect(target.parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
    const log: number[] = [];
    const { parts } = await uploadPayload(target, src.open, size, { fetch: cuttingFetch([2], log), backoffMs: 10 });
    expect(log.filter((p) => p === 2)).toHaveLength(2);
    expect(parts?.map((p) => p.partNumber)).toEqual([1, 2, 3]);
    expect(await store.head(key)).toBeNull();
    expect(await store.completeUpload(key, { uploadId: target.uploadId, parts: parts ?? [] })).toEqual({ size });
    expect(await downloadedSha(store, key, size)).toBe(src.sha);
  });

  it('resumes a multipart upload, sending only the parts not yet stored', async () => {
    const size = 16 * MiB;
    const src = await payload('m2', size);
    const key = 'prod1/ds1/resume';
    const target = await store.createUpload(key, { size, expiresInSec: 60 });
    if (target.kind !== 'multipart') throw new Error('expected multipart');
    const stored: UploadedPart[] = [];
    const firstLog: number[] = [];
    await expect(
      uploadPayload(target, src.open, size, {
        fetch: cuttingFetch([3, 3], firstLog),
        retries: 1,
        backoffMs: 10,
        concurrency: 1,
        onPartUploaded: (p) => stored.push(p),
      }),
    ).rejects.toMatchObject({ code: 'RETRIES_EXHAUSTED' });
    expect(stored.map((p) => p.partNumber)).toEqual([1, 2]);
    const secondLog: number[] = [];
    const fresh = await store.renewUpload(key, { size, expiresInSec: 60, uploadId: target.uploadId });
    const { parts } = await uploadPayload(fresh, src.open, size, { fetch: cuttingFetch([], secondLog), uploadedParts: stored });
    expect(secondLog.sort()).toEqual([3, 4]);
    await store.completeUpload(key, { uploadId: target.uploadId, parts: parts ?? [] });
    expect(await downloadedSha(store, key, size)).toBe(src.sha);
  });

  it('renews part URLs that expire mid-upload', async () => {
    const size = 11 * MiB;
    const src = await payload('m3', size);
    const key = 'prod1/ds1/expiry';
    const target = await store.createUpload(key, { size, expiresInSec: 1 });
    if (target.kind !== 'multipart') throw new Error('expected multipart');
    let renewed = 0;
    let delayed = false;
    const slow: typeof fetch = async (input, init) => {
      if (init?.method === 'PUT' && partOf(String(input)) === 2 && !delayed) {
        delayed = true;
        await new Promise((r) => setTimeout(r, 2100));
      }
      return fetch(input, init);
    };
    const { parts } = await uploadPayload(target, src.open, size, {
      fetch: slow,
      concurrency: 1,
      renew: async () => {
        renewed++;
        return store.renewUpload(key, { size, expiresInSec: 300, uploadId: target.uploadId });
      },
    });
    expect(renewed).toBe(1);
    await store.completeUpload(key, { uploadId: target.uploadId, parts: parts ?? [] });
    expect(await downloadedSha(store, key, size)).toBe(src.sha);
  });

  it('puts each producer in its own bucket when asked', async () => {
    const pp = new S3BlobStore({ client, bucket: 'unused', bucketPerProducer: true, partSize: 5 * MiB });
    expect(pp.bucketFor('prod-a/ds/r1')).toBe('dme-producer-prod-a');
    expect(pp.bucketFor('Prod_B/ds/r1')).toMatch(/^dme-producer-[0-9a-f]{40}$/);
    for (const key of ['prod-a/ds/r1', 'Prod_B/ds/r1']) {
      const src = await payload(`pp-${key.slice(0, 4)}`, 4096);
      await uploadPayload(await pp.createUpload(key, { size: 4096, expiresInSec: 60 }), src.open, 4096);
      await pp.completeUpload(key, {});
      expect(await downloadedSha(pp, key, 4096)).toBe(src.sha);
      const head = await client.send(new HeadObjectCommand({ Bucket: pp.bucketFor(key), Key: key }));
      expect(head.ContentLength).toBe(4096);
    }
    const buckets = (await client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name) ?? [];
    expect(buckets).toContain('dme-producer-prod-a');
    expect(buckets).toContain(pp.bucketFor('Prod_B/ds/r1'));
    expect(await store.head('prod-a/ds/r1')).toBeNull();
  });

  it('refuses bad keys and sizes, and completing an upload that never happened', async () => {
    await expect(store.createUpload('../etc/x', { size: 1, expiresInSec: 60 })).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(store.createUpload('a/b/c', { size: -1, expiresInSec: 60 })).rejects.toMatchObject({ code: 'INVALID_SIZE' });
    await expect(store.completeUpload('prod1/ds1/never', {})).rejects.toMatchObject({ code: 'UPLOAD_INCOMPLETE' });
    expect(() => new S3BlobStore({ client, bucket: 'dme-test', partSize: MiB })).toThrow(/at least/);
  });
});
