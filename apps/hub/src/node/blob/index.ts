/**
 * @module node/blob
 * Node blob stores for the hub entry: the local disk store with its signed
 * routes (mount `localBlobRoutes(store)` at `/v1/blob`) and the S3 store.
 */
export { BLOB_ROUTE_PREFIX, localStoreFromDir, s3StoreFromEnv } from './factories.js';
export { localBlobRoutes } from './local-routes.js';
export { LocalBlobStore } from './local-store.js';
export type { LocalBlobStoreOptions } from './local-store.js';
export { S3BlobStore, DEFAULT_PART_SIZE, MIN_PART_SIZE, MAX_PARTS } from './s3-store.js';
export type { S3BlobStoreOptions } from './s3-store.js';
export { openFileStream } from './file-stream.js';
