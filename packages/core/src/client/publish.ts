/**
 * @module client/publish
 * The publish pipeline (DESIGN §3), reusable by the CLI and the desktop
 * engine: profile → encrypt once with a fresh file key → start the release →
 * upload the payload (resumable, URL renewal) → sign the manifest → complete
 * with one key grant per recipient (the producer itself and every approved or
 * active subscriber of the dataset, as the hub lists them).
 *
 * Streaming: the plaintext is read by the profiler, the cipher and the
 * digest worker. The payload is uploaded AS it is encrypted, through a
 * client/payload-spool that keeps the bytes the store has not confirmed yet,
 * so a retried or resumed piece (an expired URL renewed mid-transfer, a
 * dropped connection) is sent again from memory; the hub needs only the
 * payload size at start (computed from the plaintext size). Memory stays flat:
 * the piece in flight plus a bounded read-ahead; past that the spool spills
 * to a 0600 temp file, removed whatever happens. Nothing is written to disk
 * otherwise (a staged copy of the payload cost ~0.5 CPU-s per GiB in writes
 * and unlinking). The file key only ever leaves this function wrapped in age
 * headers.
 *
 * Latency: encryption starts before the hub round trips (recipients, start
 * release).
 *
 * Threads: encryption runs on this thread (no worker pipeline); both digests
 * the manifest signs are one worker's (client/file-digest): the plaintext's
 * from the file read by the worker itself, checked against the file's size
 * and mtime after, and the payload's from the spool's shared blocks. One
 * thread encrypts at ~400 MB/s here, beyond most uplinks, and the
 * two-worker pipeline cost about 2 CPU-s per GiB more in transfers, start-up
 * and garbage collection: CPU an uploader shares with everything else, a hub
 * on the same machine included (256 MiB to a local hub, 3 pairs at load 4-6:
 * client 2.3-2.55 CPU-s inline vs 2.8-3.1 with workers, faster each time).
 * Moving the payload digest to that worker took ~0.9 CPU-s per GiB off this
 * thread, the one every byte waits for.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeHeader, encryptPayload, openFileSource, randomFileKey } from '../crypto/age/index.js';
import { signManifest } from '../crypto/manifest.js';
import type { IdentitySecrets, PublicIdentity } from '../identity/store.js';
import { profileFile } from '../profile/index.js';
import type { KeyGrantInput } from '../protocol/grant.js';
import type { Manifest } from '../protocol/manifest.js';
import type { FileFormat, FileProfile } from '../protocol/profile.js';
import type { PublishedRelease } from '../protocol/release.js';
import type { HubClient } from '../sdk/client.js';
import { uploadPayload, type UploadTarget } from '../sdk/transfer.js';
import { ClientError } from './errors.js';
import { startPublishDigests } from './file-digest.js';
import { agePayloadSize, PayloadSpool } from './payload-spool.js';

/**
 * Upload pieces of a single-URL target: each piece costs a request and the
 * store's per-piece work, and the piece in flight is held in memory until the
 * store confirms it, memory first touched by each publish (on a VM a page
 * fault costs more than the bytes' copy). 64 MiB pieces won while every piece
 * opened a new connection (16 MiB: hub 2.9-3.8 CPU-s per GiB against
 * 1.6-2.0); with the connection kept (net/node-fetch), 16 MiB pieces cost the
 * hub no more and the publisher ~0.2 CPU-s per GiB less (12k fewer page
 * faults): 1 GiB to the local hub, 5 alternating pairs, 64 vs 16 MiB:
 * 5.10/4.05, 3.82/3.38, 3.74/3.74, 3.68/3.61, 3.71/3.76 s; publisher CPU
 * 3.87-4.26 vs 3.63-4.07 s.
 */
const MiB = 1024 * 1024;
const PIECE_SIZE = 16 * MiB;

/** 'upload' covers encryption too: the payload is uploaded as it is encrypted. */

export type PublishPhase = 'profile' | 'upload' | 'complete';

export interface PublishOptions {
  hub: HubClient;
  /** The producer's account id (grants name it as a recipient). */
  accountId: string;
  identity: PublicIdentity;
  secrets: IdentitySecrets;
  datasetId: string;
  file: string;
  /** Where the encrypted payload is staged (default: the OS temp dir). */
  tempDir?: string;
  /** false: skip profiling (record count 0), for files that are not tabular. */
  profile?: boolean;
  format?: FileFormat;
  keyColumns?: string[];
  schemaVersion?: string;
  /** fetch for the upload URLs (no hub credential is ever sent there). */
  uploadFetch?: typeof fetch;
  pieceSize?: number;
  onProgress?(phase: PublishPhase, done: number, total: number): void;
  signal?: AbortSignal;
}

export interface PublishResult {
  release: PublishedRelease;
  /** Grants the hub stored (it drops those of subscribers no longer approved/active). */
  grants: number;
  recipients: number;
  profile: FileProfile | undefined;
}

interface Recipient {
  accountId: string;
  recipient: string;
}

async function recipientsOf(opts: PublishOptions): Promise<Recipient[]> {
  const own = { accountId: opts.accountId, recipient: opts.identity.ageRecipient };
  const out = new Map<string, Recipient>([[own.accountId, own]]);
  for (const status of ['active', 'approved'] as const) {
    const { items } = await opts.hub.subscribers(status);
    for (const s of items) {
      if (s.subscription.datasetId !== opts.datasetId || !s.consumer.ageRecipient) continue;
      out.set(s.consumer.id, { accountId: s.consumer.id, recipient: s.consumer.ageRecipient });
    }
  }
  return [...out.values()];
}

export async function publishFile(opts: PublishOptions): Promise<PublishResult> {
  const info = await stat(opts.file).catch((err: NodeJS.ErrnoException) => {
    throw new ClientError('BAD_INPUT', err.code === 'ENOENT' ? `${opts.file}: no such file` : `${opts.file}: ${err.message}`);
  });
  if (!info.isFile()) throw new ClientError('BAD_INPUT', `${opts.file} is not a regular file`);
  const progress = opts.onProgress ?? (() => undefined);

  let profile: FileProfile | undefined;
  if (opts.profile !== false) {
    progress('profile', 0, info.size);
    profile = await profileFile(opts.file, {
      ...(opts.format ? { format: opts.format } : {}),
      ...(opts.keyColumns?.length ? { keyColumns: opts.keyColumns } : {}),
      onProgress: (p) => progress('profile', Math.min(p.bytes, info.size), info.size),
    });
  }

  const dir = await mkdtemp(join(opts.tempDir ?? tmpdir(), 'dme-publish-'));
  const digests = startPublishDigests(opts.file);
  // Room for the piece in flight (or the SDK's 32 MiB of multipart parts) and the read-ahead before anything spills.
  const spool = new PayloadSpool({
    spillPath: join(dir, 'payload.age'),
    maxRetained: Math.max(opts.pieceSize ?? PIECE_SIZE, 32 * MiB) + 32 * MiB,
    digest: digests.payload,
  });
  const fileKey = randomFileKey();
  const out = spool.writable();
  // A failed encryption stops the upload at once instead of after its retries.
  const stopUpload = new AbortController();
  const uploadSignal = opts.signal ? AbortSignal.any([opts.signal, stopUpload.signal]) : stopUpload.signal;
  let encrypting: Promise<Awaited<ReturnType<typeof encryptPayload>>> | undefined;
  digests.failed.catch((err: unknown) => {
    spool.fail(err instanceof Error ? err : new Error(String(err)));
    stopUpload.abort();
  });
  try {
    // The payload size follows from the plaintext size, so encryption starts
    // now, and the release starts (and the upload runs) while it is still
    // writing the payload.
    const payloadSize = agePayloadSize(info.size);
    encrypting = openFileSource(opts.file)
      .then((source) => encryptPayload(source, out, fileKey, { parallel: false, collectEachBatch: true, digests: false }))
      .then(
        async (result) => {
          await new Promise<void>((done, fail) => out.end((err?: Error | null) => (err ? fail(err) : done())));
          spool.finish();
          return result;
        },
        (err: unknown) => {
          spool.fail(err instanceof Error ? err : new Error(String(err)));
          stopUpload.abort();
          throw err;
        },
      );
    // Settled below, or by the finally when the hub calls fail first.
    encrypting.catch(() => undefined);
    const recipients = await recipientsOf(opts);
    const started = await opts.hub.startRelease(opts.datasetId, { payloadSize });
    const releaseId = started.release.id;
    progress('upload', 0, payloadSize);
    const uploading = uploadPayload(started.target as UploadTarget, (offset) => spool.readFrom(offset), payloadSize, {
      ...(opts.uploadFetch ? { fetch: opts.uploadFetch } : {}),
      pieceSize: opts.pieceSize ?? PIECE_SIZE,
      signal: uploadSignal,
      renew: async () => (await opts.hub.renewUploadTarget(releaseId)).target as UploadTarget,
      onProgress: (sent, total) => progress('upload', sent, total),
      onStored: (offset) => spool.stored(offset),
    }).then(
      (result) => {
        // A file that grew keeps the encryptor writing past payloadSize: let it finish and tell.
        spool.drain();
        return result;
      },
      (err: unknown) => {
        // Stop encrypting into a payload nobody will read.
        out.destroy(err instanceof Error ? err : new Error(String(err)));
        throw err;
      },
    );
    const [encrypted, sent] = await Promise.allSettled([encrypting, uploading]);
    if (encrypted.status === 'rejected') throw encrypted.reason;
    const changed = (): ClientError => new ClientError('BAD_INPUT', `${opts.file} changed while it was being published; publish it again`);
    if (encrypted.value.payloadBytes !== payloadSize) throw changed();
    if (sent.status === 'rejected') throw sent.reason;
    const [plain, sealed] = await Promise.all([digests.file, digests.payload.end()]);
    // Two readers of one file: their bytes are the same only if the file stayed as it was.
    const after = await stat(opts.file);
    if (plain.bytes !== info.size || after.size !== info.size || after.mtimeMs !== info.mtimeMs) throw changed();
    if (sealed.bytes !== payloadSize) throw new Error(`payload digest covers ${sealed.bytes} of ${payloadSize} bytes`);
    const enc = { ...encrypted.value, plaintextSha256: plain.sha256, payloadSha256: sealed.sha256 };
    const uploaded = sent.value;

    progress('complete', 0, 1);
    const manifest: Manifest = {
      v: 1,
      datasetId: opts.datasetId,
      releaseId,
      payloadSize: enc.payloadBytes,
      payloadSha256: enc.payloadSha256,
      plaintextSize: enc.plaintextBytes,
      plaintextSha256: enc.plaintextSha256,
      recordCount: profile?.recordCount ?? 0,
      schemaVersion: opts.schemaVersion ?? 'v1',
      createdAt: new Date().toISOString(),
      producerKey: opts.identity.signingPublicKey,
    };
    const signed = await signManifest(manifest, opts.secrets.signingSecretKey);
    const grants: KeyGrantInput[] = recipients.map((r) => ({
      recipientAccountId: r.accountId,
      recipient: r.recipient,
      header: Buffer.from(encodeHeader(fileKey, [r.recipient])).toString('base64'),
    }));
    const done = await opts.hub.completeRelease(releaseId, {
      manifest: signed,
      grants,
      ...(profile ? { profile } : {}),
      ...(uploaded.parts ? { parts: uploaded.parts } : {}),
    });
    progress('complete', 1, 1);
    return { release: done.release, grants: done.grants, recipients: recipients.length, profile };
  } finally {
    // Stop an encryption still running (a hub call failed) before the key is wiped.
    if (!out.writableFinished) out.destroy();
    await encrypting?.catch(() => undefined);
    await digests.cancel();
    fileKey.fill(0);
    await spool.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}
