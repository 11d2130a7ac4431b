import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { generateSigningKey } from '../crypto/ed25519.js';
import { signManifest } from '../crypto/manifest.js';
import { AgeHeaderSchema, KeyGrantSchema, PendingGrantSchema } from './grant.js';
import { ReleaseCompleteSchema, ReleaseSchema } from './release.js';
import type { SignedManifest } from './manifest.js';

let recipient = '';
let header = '';
let signed: SignedManifest;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

beforeAll(async () => {
  const keygen = execFileSync('/usr/bin/age-keygen', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  recipient = keygen.match(/# public key: (age1\S+)/)![1]!;
  // A real age file from the real binary; its header runs through the "--- <mac>" line.
  const file = execFileSync('/usr/bin/age', ['-r', recipient], { input: 'hello' });
  const end = file.indexOf('\n', file.indexOf('\n---') + 1) + 1;
  header = file.subarray(0, end).toString('base64');
  const keys = await generateSigningKey();
  signed = await signManifest(
    {
      v: 1,
      datasetId: 'ds_1',
      releaseId: 'rel_1',
      payloadSize: 100,
      payloadSha256: sha('p'),
      plaintextSize: 5,
      plaintextSha256: sha('hello'),
      recordCount: 1,
      schemaVersion: 'v1',
      createdAt: '2025-01-27T14:00:00Z',
      producerKey: keys.publicKey,
    },
    keys.secretKey,
  );
});

describe('key grants', () => {
  it('accept a real age header and reject other bytes', () => {
    expect(AgeHeaderSchema.safeParse(header).success).toBe(true);
    const grant = { releaseId: 'rel_1', recipientAccountId: 'acc_c', recipient, header, createdAt: '2025-01-27T14:00:00Z' };
    expect(KeyGrantSchema.parse(grant)).toEqual(grant);
    expect(KeyGrantSchema.safeParse({ ...grant, header: Buffer.from('not an age header').toString('base64') }).success).toBe(false);
    expect(KeyGrantSchema.safeParse({ ...grant, header: header.slice(0, -1) }).success).toBe(false);
    expect(KeyGrantSchema.safeParse({ ...grant, recipient: 'age1notarecipient' }).success).toBe(false);
    expect(PendingGrantSchema.safeParse({ subscriptionId: 's', datasetId: 'd', releaseId: 'r', recipientAccountId: 'a', recipient, createdAt: '2025-01-27T14:00:00Z' }).success).toBe(true);
  });
});

describe('releases', () => {
  const base = { id: 'rel_1', datasetId: 'ds_1', producerId: 'acc_p', payloadSize: 100, createdAt: '2025-01-27T13:59:00Z' };
  const published = () => ({
    ...base,
    status: 'published',
    payloadSha256: sha('p'),
    plaintextSize: 5,
    plaintextSha256: sha('hello'),
    recordCount: 1,
    schemaVersion: 'v1',
    manifest: signed,
    publishedAt: '2025-01-27T14:00:01Z',
  });

  it('discriminates on status', () => {
    expect(ReleaseSchema.parse({ ...base, status: 'uploading' }).status).toBe('uploading');
    expect(ReleaseSchema.parse(published()).status).toBe('published');
    expect(ReleaseSchema.parse({ ...base, status: 'failed', failureReason: 'checksum mismatch' }).status).toBe('failed');
    expect(ReleaseSchema.safeParse({ ...base, status: 'deleted' }).success).toBe(false);
    expect(ReleaseSchema.safeParse({ ...base, status: 'published' }).success).toBe(false);
  });

  it('a published release must agree with its manifest', () => {
    expect(ReleaseSchema.safeParse({ ...published(), recordCount: 2 }).success).toBe(false);
    expect(ReleaseSchema.safeParse({ ...published(), id: 'rel_2' }).success).toBe(false);
    expect(ReleaseSchema.safeParse({ ...published(), payloadSize: -1 }).success).toBe(false);
  });

  it('complete input carries manifest and at least one grant', () => {
    const grant = { recipientAccountId: 'acc_p', recipient, header };
    expect(ReleaseCompleteSchema.safeParse({ manifest: signed, grants: [grant] }).success).toBe(true);
    expect(ReleaseCompleteSchema.safeParse({ manifest: signed, grants: [] }).success).toBe(false);
    expect(ReleaseCompleteSchema.safeParse({ manifest: { ...signed, signature: 'x' }, grants: [grant] }).success).toBe(false);
  });
});
