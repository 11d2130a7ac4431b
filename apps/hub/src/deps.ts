/**
 * @module deps
 * Everything the hub reaches outside its own code, passed to `createApp`.
 * Routes see storage, blobs, time and ids only through these interfaces, so
 * the same app runs on Node (better-sqlite3, local disk) and on Workers (D1, R2).
 */
import type { Hono } from 'hono';
import type { BlobStore } from './blob/types.js';
import type { Store } from './store/types.js';

export interface Clock {
  now(): Date;
}

export interface IdSource {
  /** A new sortable random id, `${prefix}_…` (e.g. `acc_01j…`). */
  id(prefix: string): string;
}

export interface HubConfig {
  /** HS256 key for access tokens (>= 32 bytes of entropy). */
  jwtSecret: string;
  /** HMAC key for blob URLs signed by the hub itself. */
  urlSigningSecret: string;
  /** Base URL clients reach the hub at, without trailing slash (e.g. http://127.0.0.1:8787). */
  publicUrl: string;
  /** PBKDF2-SHA256 iterations for new password hashes (600k in production; tests use a few). */
  passwordIterations: number;
  /** Largest JSON request body accepted by API routes; larger gets 413. */
  maxJsonBodyBytes: number;
  accessTokenTtlSec: number;
  refreshTokenTtlSec: number;
  /** Relaxes nothing security-relevant; only makes internal errors log more context. */
  devMode: boolean;
}

/** Static files of the offline API explorer, read by the runtime entry (routes cannot touch the disk). */
export interface DocsAssets {
  /** File name (e.g. `swagger-ui.css`) to contents. */
  files: Map<string, { body: Uint8Array; contentType: string }>;
}

export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
}

export interface HubDeps {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  ids: IdSource;
  config: HubConfig;
  docs?: DocsAssets;
  logger?: Logger;
  /**
   * HTTP face of a blob store that serves its own signed URLs (the local-disk
   * store), mounted at /v1/blob: outside bearer auth (the URL signature is the
   * credential) and outside the JSON body limit (payloads are large, streamed).
   */
  blobRoutes?: Hono;
}

export const systemClock: Clock = { now: () => new Date() };

export const consoleLogger: Logger = {
  error: (message, fields) => console.error(JSON.stringify({ level: 'error', message, ...fields })),
  info: (message, fields) => console.log(JSON.stringify({ level: 'info', message, ...fields })),
};
