/**
 * @module node/blob/factories
 * Builds the Node hub's BlobStore from configuration: the local disk store (the
 * embedded default, served by `localBlobRoutes` at `/v1/blob`) or an
 * S3-compatible store from `DME_*` environment variables.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { BlobError } from '../../blob/errors.js';
import { LocalBlobStore } from './local-store.js';
import { S3BlobStore } from './s3-store.js';

/** Route prefix the local store's URLs point at; createApp mounts `localBlobRoutes` there. */
export const BLOB_ROUTE_PREFIX = '/v1/blob';

/**
 * The local store rooted at `dir`, minting URLs under `<publicUrl>/v1/blob`
 * (publicUrl is the hub's externally reachable origin, e.g. `http://127.0.0.1:8787`).
 */
export function localStoreFromDir(dir: string, secret: string | Uint8Array, publicUrl: string): LocalBlobStore {
  const origin = publicUrl.replace(/\/+$/, '');
  const baseUrl = origin.endsWith(BLOB_ROUTE_PREFIX) ? origin : `${origin}${BLOB_ROUTE_PREFIX}`;
  return new LocalBlobStore({ root: dir, secret, baseUrl });
}

/**
 * The S3 store described by `env`:
 * DME_S3_ENDPOINT (omit for AWS), DME_S3_REGION (default us-east-1),
 * DME_S3_BUCKET (required unless DME_S3_BUCKET_PER_PRODUCER=1),
 * DME_S3_ACCESS_KEY_ID + DME_S3_SECRET_ACCESS_KEY (else the AWS default chain),
 * DME_S3_PART_SIZE (bytes, ≥ 5 MiB), DME_S3_FORCE_PATH_STYLE (default 1 with a custom endpoint).
 */
export function s3StoreFromEnv(env: Record<string, string | undefined>): S3BlobStore {
  if (env.DME_BLOB !== undefined && env.DME_BLOB !== 's3') throw new BlobError('BAD_CONFIG', `DME_BLOB=${env.DME_BLOB} is not an S3 store`);
  const perProducer = env.DME_S3_BUCKET_PER_PRODUCER === '1' || env.DME_S3_BUCKET_PER_PRODUCER === 'true';
  const bucket = env.DME_S3_BUCKET ?? '';
  if (!bucket && !perProducer) throw new BlobError('BAD_CONFIG', 'DME_S3_BUCKET is required (or set DME_S3_BUCKET_PER_PRODUCER=1)');
  const keyId = env.DME_S3_ACCESS_KEY_ID;
  const secret = env.DME_S3_SECRET_ACCESS_KEY;
  if (Boolean(keyId) !== Boolean(secret)) throw new BlobError('BAD_CONFIG', 'set both DME_S3_ACCESS_KEY_ID and DME_S3_SECRET_ACCESS_KEY, or neither');
  const endpoint = env.DME_S3_ENDPOINT || undefined;
  const pathStyle = env.DME_S3_FORCE_PATH_STYLE === undefined ? endpoint !== undefined : env.DME_S3_FORCE_PATH_STYLE === '1' || env.DME_S3_FORCE_PATH_STYLE === 'true';
  let partSize: number | undefined;
  if (env.DME_S3_PART_SIZE) {
    partSize = Number(env.DME_S3_PART_SIZE);
    if (!Number.isSafeInteger(partSize)) throw new BlobError('BAD_CONFIG', 'DME_S3_PART_SIZE must be a whole number of bytes');
  }
  const client = new S3Client({
    region: env.DME_S3_REGION || 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    ...(keyId && secret ? { credentials: { accessKeyId: keyId, secretAccessKey: secret } } : {}),
    forcePathStyle: pathStyle,
    // Without these the SDK adds streaming checksums that some S3-compatible
    // servers (s3rver, older MinIO) store as part of the data.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return new S3BlobStore({ client, bucket: bucket || 'unused', bucketPerProducer: perProducer, ...(partSize !== undefined ? { partSize } : {}) });
}
