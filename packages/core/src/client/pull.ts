/**
 * @module client/pull
 * The pull pipeline, reusable by the CLI and the desktop sync engine: ask the
 * hub for my grant, the signed manifest and a short-lived payload URL →
 * verify the manifest against the producer's REGISTERED signing key (not the
 * key the manifest names) → download the payload with Range resume into a
 * hidden partial file beside the output → check payload size and SHA-256 →
 * unwrap my grant → decrypt streaming into a temporary file → check plaintext
 * size and SHA-256 → rename into place.
 *
 * Invariant: nothing appears at the output path unless every check passed.
 * The partial payload survives only a transfer failure (the next pull resumes
 * it); any verification failure deletes it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { decryptPayload, unwrapFileKey } from '../crypto/age/index.js';
import { checkMeasured, ManifestError, verifyManifest } from '../crypto/manifest.js';
import { writeFileAtomically } from '../fs/atomic-file.js';
import type { IdentitySecrets } from '../identity/store.js';
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

async function fetchPayload(opts: PullOptions, url: string, partial: string, size: number): Promise<{ sha256: string; resumedFrom: number }> {
  let have = await stat(partial).then((s) => s.size, () => 0);
  if (have > size) {
    await rm(partial, { force: true });
    have = 0;
  }
  const hash = await hashPrefix(partial, have);
  const handle = await open(partial, have > 0 ? 'r+' : 'w', 0o600);
  let position = have;
  try {
    const renew = async (): Promise<string> => (await opts.hub.download(opts.releaseId)).url;
    await downloadPayload(
      url,
      async (chunk) => {
        await handle.write(chunk, 0, chunk.byteLength, position);
        position += chunk.byteLength;
        hash.update(chunk);
      },
      {
        startAt: have,
        expectedSize: size,
        renew,
        ...(opts.downloadFetch ? { fetch: opts.downloadFetch } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        onProgress: (received) => opts.onProgress?.('download', received, size),
      },
    );
    await handle.sync();
  } catch (err) {
    // A size mismatch is the server's bytes being wrong, not a pause: do not resume from them.
    if (err instanceof TransferError && err.code === 'SIZE_MISMATCH') await rm(partial, { force: true });
    throw err;
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), resumedFrom: have };
}

export async function pullRelease(opts: PullOptions): Promise<PullResult> {
  const output = resolve(opts.output);
  const d = await opts.hub.download(opts.releaseId);
  const producer = await opts.hub.accountKeys(d.release.producerId);
  if (!producer.signingPublicKey) throw failed('the producer has no registered signing key; cannot verify the release');
  let manifest: Manifest;
  try {
    manifest = await verifyManifest(d.manifest, producer.signingPublicKey);
  } catch (err) {
    if (err instanceof ManifestError) throw failed(`manifest rejected: ${err.message}`);
    throw err;
  }
  if (manifest.releaseId !== opts.releaseId || manifest.datasetId !== d.release.datasetId) {
    throw failed('the manifest is for another release or dataset');
  }

  const partial = join(dirname(output), `.${basename(output)}.${opts.releaseId}.payload`);
  const got = await fetchPayload(opts, d.url, partial, manifest.payloadSize);
  try {
    try {
      checkMeasured(manifest, 'payload', { size: manifest.payloadSize, sha256: got.sha256 });
    } catch (err) {
      throw failed(err instanceof Error ? err.message : String(err));
    }
    const fileKey = unwrapFileKey(new Uint8Array(Buffer.from(d.grant.header, 'base64')), [opts.secrets.ageIdentity]);
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
  return { release: d.release, manifest, output, resumedFrom: got.resumedFrom };
}
