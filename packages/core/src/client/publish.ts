/**
 * @module client/publish
 * The publish pipeline (DESIGN §3), reusable by the CLI and the desktop
 * engine: profile → encrypt once with a fresh file key → start the release →
 * upload the payload (resumable, URL renewal) → sign the manifest → complete
 * with one key grant per recipient (the producer itself and every approved or
 * active subscriber of the dataset, as the hub lists them).
 *
 * Streaming: the plaintext is read twice (profile, encrypt), the payload is
 * encrypted to a temporary file of mode 0600 and uploaded from it, because the
 * hub needs the payload's size and SHA-256 at start and an interrupted upload
 * must resume from the same bytes. Memory stays flat (the SDK keeps at most
 * one upload piece in flight). The temporary file is removed whatever happens,
 * and the file key only ever leaves this function wrapped in age headers.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { encodeHeader, encryptPayload, randomFileKey } from '../crypto/age/index.js';
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

export type PublishPhase = 'profile' | 'encrypt' | 'upload' | 'complete';

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

function fileStream(path: string, start = 0): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(path, { start, highWaterMark: 1 << 20 })) as unknown as ReadableStream<Uint8Array>;
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
  const recipients = await recipientsOf(opts);

  const dir = await mkdtemp(join(opts.tempDir ?? tmpdir(), 'dme-publish-'));
  const payloadPath = join(dir, 'payload.age');
  const fileKey = randomFileKey();
  try {
    progress('encrypt', 0, info.size);
    const out = createWriteStream(payloadPath, { mode: 0o600 });
    const enc = await encryptPayload(createReadStream(opts.file, { highWaterMark: 1 << 20 }), out, fileKey, {
      onProgress: (n) => progress('encrypt', n, info.size),
    }).catch((err: unknown) => {
      out.destroy();
      throw err;
    });
    out.end();
    await finished(out);
    progress('encrypt', info.size, info.size);

    const started = await opts.hub.startRelease(opts.datasetId, { payloadSize: enc.payloadBytes, payloadSha256: enc.payloadSha256 });
    const releaseId = started.release.id;
    progress('upload', 0, enc.payloadBytes);
    const uploaded = await uploadPayload(started.target as UploadTarget, (offset) => fileStream(payloadPath, offset), enc.payloadBytes, {
      ...(opts.uploadFetch ? { fetch: opts.uploadFetch } : {}),
      ...(opts.pieceSize ? { pieceSize: opts.pieceSize } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      renew: async () => (await opts.hub.renewUploadTarget(releaseId)).target as UploadTarget,
      onProgress: (sent, total) => progress('upload', sent, total),
    });

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
    fileKey.fill(0);
    await rm(dir, { recursive: true, force: true });
  }
}
