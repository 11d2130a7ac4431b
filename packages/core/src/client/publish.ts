/**
 * @module client/publish
 * The publish pipeline (DESIGN §3), reusable by the CLI and the desktop
 * engine: profile → encrypt once with a fresh file key → start the release →
 * upload the payload (resumable, URL renewal) → sign the manifest → complete
 * with one key grant per recipient (the producer itself and every approved or
 * active subscriber of the dataset, as the hub lists them).
 *
 * Streaming: the plaintext is read by the profiler, then once more by the
 * sealing worker (client/seal-worker), which hashes it and encrypts it
 * straight into the payload spool's blocks (client/payload-spool); this
 * thread hashes the payload and uploads it AS it is encrypted. The spool
 * keeps the bytes the store has not confirmed yet, so a retried or resumed
 * piece (an expired URL renewed mid-transfer, a dropped connection) is sent
 * again from memory; the hub needs only the payload size at start (computed
 * from the plaintext size). Memory stays flat: the piece in flight plus a
 * bounded read-ahead; past that the spool spills to a 0600 temp file,
 * removed whatever happens. Nothing is written to disk otherwise (a staged
 * copy of the payload cost ~0.5 CPU-s per GiB in writes and unlinking). The
 * file key only ever leaves this function wrapped in age headers (the
 * worker gets the payload key derived from it, and wipes it when done).
 *
 * Latency: encryption starts before the hub round trips (the account and
 * dataset when the caller is still looking them up, recipients, start
 * release).
 *
 * Threads: one worker, not a pipeline of them: the two-worker age pipeline
 * cost about 2 CPU-s per GiB more in transfers, start-up and garbage
 * collection, CPU an uploader shares with everything else, a hub on the same
 * machine included. The worker hands back whole shared blocks, so nothing
 * is copied or transferred between threads.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeHeader, randomFileKey } from '../crypto/age/index.js';
import { signManifest } from '../crypto/manifest.js';
import type { IdentitySecrets, PublicIdentity } from '../identity/store.js';
import type { KeyGrantInput } from '../protocol/grant.js';
import type { Manifest } from '../protocol/manifest.js';
import type { FileFormat, FileProfile } from '../protocol/profile.js';
import type { PublishedRelease } from '../protocol/release.js';
import type { HubClient } from '../sdk/client.js';
import { uploadPayload, type UploadTarget } from '../sdk/transfer.js';
import { ClientError } from './errors.js';
import type { Worker } from 'node:worker_threads';
import { sealFile, type Sealing } from './seal-worker.js';
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
 * 3.87-4.26 vs 3.63-4.07 s. Once the hub wrote pieces around the page
 * cache (fs/direct-io), 32 MiB beat 16 in 5 of 5 pairs by 0.04-0.19 s
 * (4.15/4.03, 4.14/3.95, 4.00/3.96, 3.79/3.66, 3.84/3.71 s) and 48 MiB was
 * no better than 32 (4 pairs, -0.08 to +0.00 s). Sending the next piece
 * before the previous one's reply (the hub queueing it) removed the ~5 ms
 * pause between pieces but not a second of the total (5 pairs, 3.62-4.28 s
 * sequential vs 3.74-3.99 pipelined): per piece it is work, not waiting.
 */
const MiB = 1024 * 1024;
const PIECE_SIZE = 32 * MiB;

/** 'upload' covers encryption too: the payload is uploaded as it is encrypted. */

export type PublishPhase = 'profile' | 'upload' | 'complete';

export interface PublishOptions {
  hub: HubClient;
  /**
   * The producer's account id (grants name it as a recipient) and the
   * dataset. Either may still be on its way from the hub: encryption starts
   * meanwhile, the release only once both are known, and a lookup that
   * fails stops the publish.
   */
  accountId: string | Promise<string>;
  identity: PublicIdentity;
  secrets: IdentitySecrets;
  datasetId: string | Promise<string>;
  file: string;
  /** Where the encrypted payload is staged (default: the OS temp dir). */
  tempDir?: string;
  /** A sealing worker already started (client/seal-worker startSealWorker), taken over by this publish. */
  sealWorker?: Worker;
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

async function recipientsOf(opts: PublishOptions, accountId: string, datasetId: string): Promise<Recipient[]> {
  const own = { accountId, recipient: opts.identity.ageRecipient };
  const out = new Map<string, Recipient>([[own.accountId, own]]);
  const lists = await Promise.all((['active', 'approved'] as const).map((status) => opts.hub.subscribers(status)));
  for (const { items } of lists) {
    for (const s of items) {
      if (s.subscription.datasetId !== datasetId || !s.consumer.ageRecipient) continue;
      out.set(s.consumer.id, { accountId: s.consumer.id, recipient: s.consumer.ageRecipient });
    }
  }
  return [...out.values()];
}

export async function publishFile(opts: PublishOptions): Promise<PublishResult> {
  const owner = Promise.all([opts.accountId, opts.datasetId]);
  // Awaited below; a lookup that fails sooner must not count as unhandled meanwhile.
  owner.catch(() => undefined);
  const info = await stat(opts.file).catch((err: NodeJS.ErrnoException) => {
    throw new ClientError('BAD_INPUT', err.code === 'ENOENT' ? `${opts.file}: no such file` : `${opts.file}: ${err.message}`);
  });
  if (!info.isFile()) throw new ClientError('BAD_INPUT', `${opts.file} is not a regular file`);
  const progress = opts.onProgress ?? (() => undefined);

  let profile: FileProfile | undefined;
  if (opts.profile !== false) {
    // An unknown dataset fails now rather than after a pass over the file.
    await owner;
    progress('profile', 0, info.size);
    // Loaded on use: `--no-profile` publishes start without the profiler's modules.
    const { profileFile } = await import('../profile/index.js');
    profile = await profileFile(opts.file, {
      ...(opts.format ? { format: opts.format } : {}),
      ...(opts.keyColumns?.length ? { keyColumns: opts.keyColumns } : {}),
      onProgress: (p) => progress('profile', Math.min(p.bytes, info.size), info.size),
    });
  }

  const dir = await mkdtemp(join(opts.tempDir ?? tmpdir(), 'dme-publish-'));
  // Room for the piece in flight (or the SDK's 32 MiB of multipart parts) and the read-ahead before anything spills.
  const spool = new PayloadSpool({
    spillPath: join(dir, 'payload.age'),
    maxRetained: Math.max(opts.pieceSize ?? PIECE_SIZE, 32 * MiB) + 32 * MiB,
  });
  const fileKey = randomFileKey();
  // A failed encryption stops the upload at once instead of after its retries.
  const stopUpload = new AbortController();
  const uploadSignal = opts.signal ? AbortSignal.any([opts.signal, stopUpload.signal]) : stopUpload.signal;
  let sealing: Sealing | undefined;
  try {
    // The payload size follows from the plaintext size, so encryption starts
    // now, and the release starts (and the upload runs) while it is still
    // writing the payload.
    const payloadSize = agePayloadSize(info.size);
    sealing = sealFile(opts.file, info.size, fileKey, spool, opts.sealWorker);
    const sealed = sealing.done.then(
      (result) => {
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
    sealed.catch(() => undefined);
    const [accountId, datasetId] = await owner;
    // Neither waits for the other: if the recipients cannot be listed, the release stays 'uploading', as after a failed upload.
    const [recipients, started] = await Promise.all([recipientsOf(opts, accountId, datasetId), opts.hub.startRelease(datasetId, { payloadSize })]);
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
        spool.drain();
        return result;
      },
      (err: unknown) => {
        // Stop encrypting into a payload nobody will read.
        void sealing?.cancel(err);
        throw err;
      },
    );
    const [encrypted, sent] = await Promise.allSettled([sealed, uploading]);
    if (encrypted.status === 'rejected') throw encrypted.reason;
    if (sent.status === 'rejected') throw sent.reason;
    const { plaintext: plain, payload: sealedDigest } = encrypted.value;
    // The worker read `info.size` bytes: they are the file's only if it stayed as it was.
    const after = await stat(opts.file);
    if (plain.bytes !== info.size || after.size !== info.size || after.mtimeMs !== info.mtimeMs) {
      throw new ClientError('BAD_INPUT', `${opts.file} changed while it was being published; publish it again`);
    }
    if (sealedDigest.bytes !== payloadSize) throw new Error(`payload digest covers ${sealedDigest.bytes} of ${payloadSize} bytes`);
    const enc = { plaintextBytes: plain.bytes, payloadBytes: sealedDigest.bytes, plaintextSha256: plain.sha256, payloadSha256: sealedDigest.sha256 };
    const uploaded = sent.value;

    progress('complete', 0, 1);
    const manifest: Manifest = {
      v: 1,
      datasetId,
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
    // Stop a sealing still running (a hub call failed) before the key is wiped.
    await sealing?.cancel();
    fileKey.fill(0);
    await spool.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}
