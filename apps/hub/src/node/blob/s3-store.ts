/**
 * @module node/blob/s3-store
 * BlobStore on any S3-compatible service (AWS S3, R2, MinIO) with presigned
 * URLs: the hub signs, clients move the bytes. Payloads under `partSize` go up
 * in one presigned PUT to a staging key (`.staging/<key>`) that completeUpload
 * copies into place; larger ones use multipart upload, one presigned URL per
 * part, and become visible on CompleteMultipartUpload. Either way nothing
 * appears under `key` before completeUpload.
 *
 * With `bucketPerProducer`, the first key segment (the producer id) selects the
 * bucket `dme-producer-<id>` (the DME seed's isolation), created on first use.
 */
import { createHash } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListPartsCommand,
  AbortMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { BlobError, assertValidKey } from '../../blob/errors.js';
import type { BlobHead, BlobStore, UploadTarget, UploadedPart } from '../../blob/types.js';

export interface S3BlobStoreOptions {
  client: S3Client;
  /** The bucket for all payloads; with `bucketPerProducer`, unused. */
  bucket: string;
  bucketPerProducer?: boolean;
  /** Multipart part size in bytes (≥ 5 MiB, default 16 MiB); smaller payloads take one PUT. */
  partSize?: number;
  /** Create missing buckets on first use (default true). */
  createBuckets?: boolean;
}

const MiB = 1024 * 1024;
export const MIN_PART_SIZE = 5 * MiB;
export const DEFAULT_PART_SIZE = 16 * MiB;
export const MAX_PARTS = 10_000;
const MAX_OBJECT = 5 * 1024 * 1024 * MiB;
const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

function errorName(err: unknown): string {
  return (err as { name?: string } | null)?.name ?? '';
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

function storeError(err: unknown, what: string): BlobError {
  const name = errorName(err);
  if (name === 'NoSuchUpload') return new BlobError('NO_UPLOAD', `${what}: no such multipart upload`);
  const message = err instanceof Error ? err.message : String(err);
  return new BlobError('STORE_ERROR', `${what}: ${name || 'S3 error'}: ${message}`);
}

export class S3BlobStore implements BlobStore {
  readonly client: S3Client;
  readonly partSize: number;
  readonly #bucket: string;
  readonly #perProducer: boolean;
  readonly #createBuckets: boolean;
  readonly #ready = new Map<string, Promise<void>>();

  constructor(opts: S3BlobStoreOptions) {
    this.client = opts.client;
    this.partSize = opts.partSize ?? DEFAULT_PART_SIZE;
    if (!Number.isSafeInteger(this.partSize) || this.partSize < MIN_PART_SIZE) {
      throw new BlobError('BAD_CONFIG', `S3 part size must be at least ${MIN_PART_SIZE} bytes`);
    }
    this.#bucket = opts.bucket;
    this.#perProducer = opts.bucketPerProducer ?? false;
    this.#createBuckets = opts.createBuckets ?? true;
    if (!this.#perProducer && !BUCKET_NAME.test(this.#bucket)) throw new BlobError('BAD_CONFIG', `invalid S3 bucket name ${JSON.stringify(this.#bucket)}`);
  }

  /** `dme-producer-<id>`; ids that are not valid bucket-name text are hashed so distinct ids never share a bucket. */
  bucketFor(key: string): string {
    assertValidKey(key);
    if (!this.#perProducer) return this.#bucket;
    const producer = key.split('/')[0] ?? '';
    const plain = `dme-producer-${producer}`;
    if (BUCKET_NAME.test(plain) && !plain.includes('--')) return plain;
    return `dme-producer-${createHash('sha256').update(producer).digest('hex').slice(0, 40)}`;
  }

  async #bucketOf(key: string): Promise<string> {
    const bucket = this.bucketFor(key);
    if (!this.#createBuckets) return bucket;
    let ready = this.#ready.get(bucket);
    if (!ready) {
      ready = this.#ensureBucket(bucket);
      this.#ready.set(bucket, ready);
      ready.catch(() => this.#ready.delete(bucket));
    }
    await ready;
    return bucket;
  }

  async #ensureBucket(bucket: string): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
      return;
    } catch (err) {
      if (statusOf(err) !== 404 && errorName(err) !== 'NotFound' && errorName(err) !== 'NoSuchBucket') throw storeError(err, `bucket ${bucket}`);
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (err) {
      if (errorName(err) !== 'BucketAlreadyOwnedByYou') throw storeError(err, `creating bucket ${bucket}`);
    }
  }

  /** Part size for a payload: the configured one, raised (to whole MiB) when it would need more than 10,000 parts. */
  partSizeFor(size: number): number {
    return Math.max(this.partSize, Math.ceil(size / MAX_PARTS / MiB) * MiB);
  }

  #checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > MAX_OBJECT) throw new BlobError('INVALID_SIZE', `upload size must be an integer between 0 and ${MAX_OBJECT}`);
  }

  async #partTarget(bucket: string, key: string, uploadId: string, size: number, expiresIn: number): Promise<UploadTarget> {
    const partSize = this.partSizeFor(size);
    const count = Math.max(1, Math.ceil(size / partSize));
    const parts: Array<{ partNumber: number; url: string }> = [];
    for (let partNumber = 1; partNumber <= count; partNumber++) {
      const cmd = new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber });
      parts.push({ partNumber, url: await getSignedUrl(this.client, cmd, { expiresIn }) });
    }
    return { kind: 'multipart', uploadId, partSize, parts, expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString() };
  }

  async #singleTarget(bucket: string, key: string, expiresIn: number): Promise<UploadTarget> {
    const staging = `.staging/${key}`;
    const url = await getSignedUrl(this.client, new PutObjectCommand({ Bucket: bucket, Key: staging }), { expiresIn });
    // S3 reports no Upload-Offset, so the client sends single payloads whole.
    const statusUrl = await getSignedUrl(this.client, new HeadObjectCommand({ Bucket: bucket, Key: staging }), { expiresIn });
    return { kind: 'single', url, statusUrl, expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString() };
  }

  async createUpload(key: string, opts: { size: number; expiresInSec: number }): Promise<UploadTarget> {
    this.#checkSize(opts.size);
    const bucket = await this.#bucketOf(key);
    if (opts.size < this.partSize) return this.#singleTarget(bucket, key, opts.expiresInSec);
    let uploadId: string | undefined;
    try {
      uploadId = (await this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: 'application/octet-stream' }))).UploadId;
    } catch (err) {
      throw storeError(err, 'starting multipart upload');
    }
    if (!uploadId) throw new BlobError('STORE_ERROR', 'S3 returned no UploadId');
    return this.#partTarget(bucket, key, uploadId, opts.size, opts.expiresInSec);
  }

  async renewUpload(key: string, opts: { size: number; expiresInSec: number; uploadId?: string }): Promise<UploadTarget> {
    this.#checkSize(opts.size);
    const bucket = await this.#bucketOf(key);
    if (opts.uploadId) return this.#partTarget(bucket, key, opts.uploadId, opts.size, opts.expiresInSec);
    if (opts.size >= this.partSize) throw new BlobError('NO_UPLOAD', 'a multipart upload needs its uploadId to be renewed');
    return this.#singleTarget(bucket, key, opts.expiresInSec);
  }

  async listParts(key: string, uploadId: string): Promise<UploadedPart[]> {
    const bucket = await this.#bucketOf(key);
    const parts: UploadedPart[] = [];
    let marker: string | undefined;
    // Bounded: S3 returns up to 1,000 parts per page and an upload has at most 10,000.
    for (let page = 0; page < MAX_PARTS / 1000 + 1; page++) {
      let res;
      try {
        res = await this.client.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }));
      } catch (err) {
        throw storeError(err, 'listing parts');
      }
      for (const p of res.Parts ?? []) if (p.PartNumber && p.ETag) parts.push({ partNumber: p.PartNumber, etag: p.ETag });
      if (!res.IsTruncated || !res.NextPartNumberMarker) break;
      marker = res.NextPartNumberMarker;
    }
    return parts;
  }

  async completeUpload(key: string, opts: { uploadId?: string; parts?: UploadedPart[] }): Promise<BlobHead> {
    const bucket = await this.#bucketOf(key);
    if (opts.uploadId) {
      const parts = [...(opts.parts ?? (await this.listParts(key, opts.uploadId)))].sort((a, b) => a.partNumber - b.partNumber);
      if (parts.length === 0) throw new BlobError('UPLOAD_INCOMPLETE', 'no parts uploaded');
      try {
        await this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId: opts.uploadId,
            MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
          }),
        );
      } catch (err) {
        throw storeError(err, 'completing multipart upload');
      }
    } else {
      const staging = `.staging/${key}`;
      try {
        await this.client.send(new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${bucket}/${encodeURI(staging)}` }));
      } catch (err) {
        if (statusOf(err) === 404 || errorName(err) === 'NoSuchKey') throw new BlobError('UPLOAD_INCOMPLETE', 'nothing was uploaded for this key');
        throw storeError(err, 'completing upload');
      }
      await this.#deleteObject(bucket, staging);
    }
    const head = await this.head(key);
    if (!head) throw new BlobError('STORE_ERROR', 'object missing right after completion');
    return head;
  }

  async abortUpload(key: string, opts: { uploadId?: string }): Promise<void> {
    const bucket = await this.#bucketOf(key);
    if (!opts.uploadId) return this.#deleteObject(bucket, `.staging/${key}`);
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: opts.uploadId }));
    } catch (err) {
      if (errorName(err) !== 'NoSuchUpload') throw storeError(err, 'aborting multipart upload');
    }
  }

  async head(key: string): Promise<BlobHead | null> {
    const bucket = await this.#bucketOf(key);
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { size: res.ContentLength ?? 0 };
    } catch (err) {
      if (statusOf(err) === 404 || errorName(err) === 'NotFound' || errorName(err) === 'NoSuchKey') return null;
      throw storeError(err, 'head');
    }
  }

  async read(key: string): Promise<ReadableStream<Uint8Array> | null> {
    const bucket = await this.#bucketOf(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return res.Body ? (res.Body.transformToWebStream() as ReadableStream<Uint8Array>) : null;
    } catch (err) {
      if (statusOf(err) === 404 || errorName(err) === 'NoSuchKey') return null;
      throw storeError(err, 'read');
    }
  }

  async #deleteObject(bucket: string, key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (err) {
      if (statusOf(err) !== 404) throw storeError(err, 'delete');
    }
  }

  async delete(key: string): Promise<void> {
    await this.#deleteObject(await this.#bucketOf(key), key);
  }

  async downloadUrl(key: string, opts: { expiresInSec: number }): Promise<{ url: string; expiresAt: string }> {
    const bucket = await this.#bucketOf(key);
    const url = await getSignedUrl(this.client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: opts.expiresInSec });
    return { url, expiresAt: new Date(Date.now() + opts.expiresInSec * 1000).toISOString() };
  }
}
