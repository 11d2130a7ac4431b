/**
 * @module blob/types
 * Where release payloads live. The hub never streams payload bytes through its
 * API handlers except for the local-disk store's own signed routes; clients
 * upload to and download from the URLs a BlobStore hands out. Keys are opaque
 * strings chosen by the hub (`<producerId>/<datasetId>/<releaseId>`).
 *
 * Invariant: a URL grants exactly one method on exactly one key until it
 * expires; nothing else about the store is reachable through it.
 */

/** How a client uploads one payload. */
export type UploadTarget =
  | {
      kind: 'single';
      /** PUT the bytes here; send `Content-Range: bytes a-b/total` to upload in pieces and resume. */
      url: string;
      /** HEAD this URL to learn how many bytes the store already holds (header `Upload-Offset`). */
      statusUrl: string;
      expiresAt: string;
      headers?: Record<string, string>;
    }
  | {
      kind: 'multipart';
      uploadId: string;
      partSize: number;
      parts: Array<{ partNumber: number; url: string }>;
      expiresAt: string;
    };

export interface UploadedPart {
  partNumber: number;
  etag: string;
}

export interface BlobHead {
  size: number;
  /**
   * Hex SHA-256 of the object, only from `completeUpload(…, { withDigest: true })`
   * on a store that hashed every byte as it arrived; absent means "read it back".
   */
  sha256?: string;
}

export interface BlobStore {
  /** A target for uploading `size` bytes to `key`, valid for `expiresInSec`. */
  createUpload(key: string, opts: { size: number; expiresInSec: number }): Promise<UploadTarget>;
  /** A fresh target for an upload already started (expired URLs, resume); same uploadId for multipart. */
  renewUpload(key: string, opts: { size: number; expiresInSec: number; uploadId?: string }): Promise<UploadTarget>;
  /** Parts already stored for a multipart upload (resume). Empty for single uploads. */
  listParts(key: string, uploadId: string): Promise<UploadedPart[]>;
  /**
   * Makes the object visible under `key` (S3: CompleteMultipartUpload; disk: rename from the staging file).
   * `withDigest`: also return the SHA-256 if the store measured it on the way in (the local store does).
   */
  completeUpload(key: string, opts: { uploadId?: string; parts?: UploadedPart[]; withDigest?: boolean }): Promise<BlobHead>;
  abortUpload(key: string, opts: { uploadId?: string }): Promise<void>;
  head(key: string): Promise<BlobHead | null>;
  /** Streams the stored object (the hub hashes it when an upload completes). */
  read(key: string): Promise<ReadableStream<Uint8Array> | null>;
  delete(key: string): Promise<void>;
  /** A short-lived GET URL for one object; supports HTTP Range. */
  downloadUrl(key: string, opts: { expiresInSec: number }): Promise<{ url: string; expiresAt: string }>;
}
