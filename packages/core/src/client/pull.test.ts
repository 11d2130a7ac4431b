import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptPayload, randomFileKey } from '../crypto/age/index.js';
import type { Manifest } from '../protocol/manifest.js';
import { decryptToStream } from './pull.js';

const dir = mkdtempSync(join(tmpdir(), 'dme-pull-'));
const plaintext = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `${i},row-${i}\n`).join(''));
const payload = join(dir, 'payload');
let key: Uint8Array;
let manifest: Manifest;

beforeAll(async () => {
  key = randomFileKey();
  const out = createWriteStream(payload);
  const r = await encryptPayload(Readable.from([plaintext]), out, key);
  await new Promise<void>((resolve) => out.end(resolve));
  manifest = {
    v: 1,
    datasetId: 'ds_1',
    releaseId: 'rel_1',
    payloadSize: r.payloadBytes,
    payloadSha256: r.payloadSha256,
    plaintextSize: plaintext.length,
    plaintextSha256: createHash('sha256').update(plaintext).digest('hex'),
    recordCount: 40_000,
    schemaVersion: 'v1',
    createdAt: '2025-01-01T00:00:00.000Z',
    producerKey: 'ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  } as Manifest;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function drain(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

describe('decryptToStream', () => {
  it('streams the verified plaintext and ends', async () => {
    const got = await drain(decryptToStream(payload, new Uint8Array(key), manifest));
    expect(got.equals(plaintext)).toBe(true);
  });

  it('errors instead of ending when the plaintext does not match the manifest, and zeroes the key', async () => {
    const copy = new Uint8Array(key);
    const wrong = { ...manifest, plaintextSha256: '0'.repeat(64) };
    await expect(drain(decryptToStream(payload, copy, wrong))).rejects.toMatchObject({ code: 'VERIFY_FAILED' });
    expect(copy.every((b) => b === 0)).toBe(true);
  });

  it('errors when the payload was tampered with', async () => {
    const bad = readFileSync(payload);
    bad[bad.length - 20]! ^= 1;
    const tampered = join(dir, 'tampered');
    writeFileSync(tampered, bad);
    await expect(drain(decryptToStream(tampered, new Uint8Array(key), manifest))).rejects.toThrow();
  });
});
