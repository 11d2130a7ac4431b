/**
 * @module unconfigured-blobs
 * A BlobStore for hubs started without one: every call fails with 503
 * UNAVAILABLE, so account and catalog routes work while payload routes say
 * clearly what is missing instead of crashing.
 */
import type { BlobStore } from './blob/types.js';
import { HubError } from './errors.js';

function fail(): never {
  throw new HubError('UNAVAILABLE', 'blob store not configured on this hub');
}

export const unconfiguredBlobStore: BlobStore = {
  createUpload: async () => fail(),
  renewUpload: async () => fail(),
  listParts: async () => fail(),
  completeUpload: async () => fail(),
  abortUpload: async () => fail(),
  head: async () => fail(),
  read: async () => fail(),
  delete: async () => fail(),
  downloadUrl: async () => fail(),
};
