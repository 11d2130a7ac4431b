/**
 * @module client/pull
 * The pull pipeline, reusable by the CLI and the desktop sync engine: ask the
 * hub for my grant, the signed manifest and a short-lived payload URL →
 * verify the manifest against the producer's REGISTERED signing key (not the
 * key the manifest names) → download the payload with Range resume into a
 * partial file → check payload size and SHA-256 → unwrap my grant → decrypt
 * streaming (into a temporary file for `pullRelease`, into a verifying
 * stream for the sync engine) → check plaintext size and SHA-256.
 *
 * Invariants: nothing appears at a pull's output path unless every check
 * passed, and a verifying plaintext stream ends only after its checks passed
 * (it errors otherwise, so an importer reading it rolls back). The partial
 * payload survives only a transfer failure (the next attempt resumes it);
 * any verification failure deletes it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { decryptPayload, unwrapFileKey } from '../crypto/age/index.js';
import { checkMeasured, ManifestError, verifyManifest } from '../crypto/manifest.js';
import { writeFileAtomically } from '../fs/atomic-file.js';
import { BlockWriter } from '../fs/block-writer.js';
import { directGet } from '../net/direct-get.js';
import { nodeFetch } from '../net/node-fetch.js';
import type { IdentitySecrets } from '../identity/store.js';
import type { Download } from '../protocol/api-consumer.js';
import type { Manifest } from '../protocol/manifest.js';
import type { PublishedRelease } from '../protocol/release.js';
import type { HubClient } from '../sdk/client.js';
import { downloadPayload, TransferError } from '../sdk/transfer.js';
import { ClientError } from './errors.js';

export type PullPhase = 'download' | 'decrypt';

export interface PullOptions {
  hub: HubClient;
  secrets: IdentitySecrets;
  releaseId: string;
  output: string;
  /** fetch for the payload URL (no hub credential is sent there). */
  downloadFetch?: typeof fetch;
  onProgress?(phase: PullPhase, done: number, total: number): void;
  signal?: AbortSignal;
}

export interface PullResult {
  release: PublishedRelease;
  manifest: Manifest;
  output: string;
  /** Bytes taken from a partial payload left by an interrupted pull. */
  resumedFrom: number;
}

function failed(message: string): ClientError {
  return new ClientError('VERIFY_FAILED', message);
}

/** SHA-256 of the first `length` bytes of a file (the part a resumed download already has). */
async function hashPrefix(path: string, length: number): Promise<ReturnType<typeof createHash>> {
  const hash = createHash('sha256');
  if (length === 0) return hash;
  for await (const chunk of createReadStream(path, { start: 0, end: length - 1, highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash;
}

/** What a payload download needs: the hub (to renew an expired URL), where to put the bytes. */
export interface PayloadDownloadOptions {
  hub: HubClient;
  /** The verified download answer (see `fetchVerifiedDownload`). */
  verified: VerifiedDownload;
  /** The partial payload file: resumed if it exists, deleted if the bytes fail verification. */
  partial: string;
  downloadFetch?: typeof fetch;
  onProgress?(done: number, total: number): void;
  /** The partial file's length whenever more of it is on disk (the existing part first, when resuming). */
  onStored?(end: number): void;
  signal?: AbortSignal;
}

async function fetchPayload(opts: PayloadDownloadOptions): Promise<{ sha256: string; resumedFrom: number }> {
  const { partial } = opts;
  const size = opts.verified.manifest.payloadSize;
  const releaseId = opts.verified.manifest.releaseId;
  let have = await stat(partial).then((s) => s.size, () => 0);
  if (have > size) {
    await rm(partial, { force: true });
    have = 0;
  }
  const hash = await hashPrefix(partial, have);
  const handle = await open(partial, have > 0 ? 'r+' : 'w', 0o600);
  // Chunks gathered into 1 MiB writes, one in flight while the next fills (the hash sees what is written):
  // a write awaited per network chunk held every read behind a thread-pool round trip (358 MB at ~215 MB/s).
  // The network itself is read in place (net/direct-get); any other fetch (a throttle, a test's) is used as given.
  const inPlace = opts.downloadFetch === undefined || opts.downloadFetch === nodeFetch;
  const sink = new BlockWriter(handle, have, { hash, onWritten: opts.onStored, freshChunks: !inPlace });
  opts.onStored?.(have);
  try {
    const renew = async (): Promise<string> => (await opts.hub.download(releaseId)).url;
    await downloadPayload(opts.verified.download.url, (chunk) => sink.push(chunk), {
      startAt: have,
      expectedSize: size,
      renew,
      ...(inPlace ? { get: directGet } : { fetch: opts.downloadFetch }),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onProgress: (received) => opts.onProgress?.(received, size),
    });
    await sink.flush();
    // No fsync: the digest is of the bytes as received, the importer reads them back through the page
    // cache, and after a crash the next run hashes what is on disk before resuming, so damage fails the
    // check and is downloaded again. (Waiting for 358 MB to reach the disk cost ~0.25 s.)
  } catch (err) {
    // What arrived stays, so the next attempt resumes after it.
    await sink.flush().catch(() => undefined);
    // A size mismatch is the server's bytes being wrong, not a pause: do not resume from them.
    if (err instanceof TransferError && err.code === 'SIZE_MISMATCH') await rm(partial, { force: true });
    throw err;
  } finally {
    await sink.release();
    await handle.close();
  }
  return { sha256: hash.digest('hex'), resumedFrom: have };
}

/** The hub's download answer whose manifest verified against the producer's registered key. */
export interface VerifiedDownload {
  download: Download;
  manifest: Manifest;
  /** The producer's registered Ed25519 key the manifest verified against. */
  producerSigningKey: string;
}

/** Asks the hub for my grant, manifest and URL, and verifies the manifest (VERIFY_FAILED otherwise). */
export async function fetchVerifiedDownload(hub: HubClient, releaseId: string): Promise<VerifiedDownload> {
  const d = await hub.download(releaseId);
  const producer = await hub.accountKeys(d.release.producerId);
  if (!producer.signingPublicKey) throw failed('the producer has no registered signing key; cannot verify the release');
  let manifest: Manifest;
  try {
    manifest = await verifyManifest(d.manifest, producer.signingPublicKey);
  } catch (err) {
    if (err instanceof ManifestError) throw failed(`manifest rejected: ${err.message}`);
    throw err;
  }
  if (manifest.releaseId !== releaseId || manifest.datasetId !== d.release.datasetId) {
    throw failed('the manifest is for another release or dataset');
  }
  return { download: d, manifest, producerSigningKey: producer.signingPublicKey };
}

/**
 * Downloads the payload into `partial` (resuming what is there) and checks
 * its size and SHA-256 against the manifest. On a failed check the partial
 * file is deleted (those bytes must never be resumed) and VERIFY_FAILED thrown;
 * a transfer failure keeps it for the next attempt.
 */
export async function downloadVerifiedPayload(opts: PayloadDownloadOptions): Promise<{ resumedFrom: number }> {
  const got = await fetchPayload(opts);
  try {
    checkMeasured(opts.verified.manifest, 'payload', { size: opts.verified.manifest.payloadSize, sha256: got.sha256 });
  } catch (err) {
    await rm(opts.partial, { force: true });
    throw failed(err instanceof Error ? err.message : String(err));
  }
  return { resumedFrom: got.resumedFrom };
}

/** My file key from the grant header; the caller zeroes it when done. */
export function openGrant(verified: VerifiedDownload, secrets: Pick<IdentitySecrets, 'ageIdentity'>): Uint8Array {
  return unwrapFileKey(new Uint8Array(Buffer.from(verified.download.grant.header, 'base64')), [secrets.ageIdentity]);
}

/**
 * A pass-through that hashes what flows through it and, at the end, fails
 * with VERIFY_FAILED instead of ending when the size or SHA-256 differs from
 * the manifest's plaintext. A reader therefore sees `end` only for verified
 * plaintext.
 */
export class VerifyingPlaintext extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;

  constructor(private readonly manifest: Manifest) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.byteLength;
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    try {
      checkMeasured(this.manifest, 'plaintext', { size: this.bytes, sha256: this.hash.digest('hex') });
      done();
    } catch (err) {
      done(failed(`plaintext check failed: ${err instanceof Error ? err.message : String(err)}`));
    }
  }
}

/**
 * Decrypts a payload (a verified file, or a growing one: fs/growing-file) into a VerifyingPlaintext stream and
 * returns it at once (read it to drive the decryption). A decryption failure
 * destroys the stream with that error. The file key is zeroed when done.
 */
export function decryptToStream(payload: string | AsyncIterable<Uint8Array>, fileKey: Uint8Array, manifest: Manifest, opts: { onProgress?(done: number, total: number): void } = {}): VerifyingPlaintext {
  const out = new VerifyingPlaintext(manifest);
  const input = typeof payload === 'string' ? createReadStream(payload, { highWaterMark: 1 << 20 }) : payload;
  // In-thread decryption: the importer is the bottleneck and shares the cores (see bench/import).
  decryptPayload(input, out, fileKey, {
    digests: false,
    parallel: false,
    onProgress: (n) => opts.onProgress?.(n, manifest.payloadSize),
  })
    .then(
      () => void out.end(),
      (err: unknown) => void out.destroy(err instanceof Error ? err : new Error(String(err))),
    )
    .finally(() => fileKey.fill(0));
  return out;
}

export async function pullRelease(opts: PullOptions): Promise<PullResult> {
  const output = resolve(opts.output);
  const verified = await fetchVerifiedDownload(opts.hub, opts.releaseId);
  const { manifest } = verified;
  const partial = join(dirname(output), `.${basename(output)}.${opts.releaseId}.payload`);
  const got = await downloadVerifiedPayload({
    hub: opts.hub,
    verified,
    partial,
    ...(opts.downloadFetch ? { downloadFetch: opts.downloadFetch } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    onProgress: (done, total) => opts.onProgress?.('download', done, total),
  });
  try {
    const fileKey = openGrant(verified, opts.secrets);
    try {
      await writeFileAtomically(output, async (out) => {
        const result = await decryptPayload(createReadStream(partial, { highWaterMark: 1 << 20 }), out, fileKey, {
          onProgress: (n) => opts.onProgress?.('decrypt', n, manifest.payloadSize),
        });
        opts.onProgress?.('decrypt', manifest.payloadSize, manifest.payloadSize);
        try {
          checkMeasured(manifest, 'plaintext', { size: result.plaintextBytes, sha256: result.plaintextSha256 });
        } catch (err) {
          throw failed(err instanceof Error ? err.message : String(err));
        }
      });
    } finally {
      fileKey.fill(0);
    }
  } finally {
    // Verified or not, these bytes are done with: a failed check must never be resumed.
    await rm(partial, { force: true });
  }
  return { release: verified.download.release, manifest, output, resumedFrom: got.resumedFrom };
}
