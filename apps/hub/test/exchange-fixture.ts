/**
 * Test fixture for the exchange routes: a real hub (SQLite in a temp dir, the
 * real local blob store and its signed routes), accounts with real age and
 * Ed25519 keys, and a publish helper that encrypts with the real age library
 * (one payload, one single-recipient header per grant) and signs a real
 * manifest. Consumers decrypt with the real `age` binary.
 *
 * The age library and key generation live in @dme/core's Node project, which
 * the hub's test tsconfig does not reference; they are loaded at run time by
 * path and typed by the small interfaces below.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { signManifest } from '@dme/core/manifest';
import type { Manifest } from '@dme/core/protocol';
import { LocalBlobStore } from '../src/node/blob/local-store.js';
import { localBlobRoutes } from '../src/node/blob/local-routes.js';
import { call, makeHub, signup, testConfig } from './harness.js';
import type { TestHub } from './harness.js';

interface AgeLib {
  generateIdentity(): { identity: string; recipient: string };
  randomFileKey(): Uint8Array;
  encodeHeader(fileKey: Uint8Array, recipients: string[]): Uint8Array;
  unwrapFileKey(header: Uint8Array, identities: string[]): Uint8Array;
  encryptPayload(input: AsyncIterable<Uint8Array>, output: Writable, fileKey: Uint8Array): Promise<{ payloadSha256: string; payloadBytes: number; plaintextSha256: string; plaintextBytes: number }>;
}
interface SigningLib {
  generateSigningKey(): Promise<{ publicKey: string; secretKey: string }>;
}

const core = new URL('../../../packages/core/src/crypto/', import.meta.url);
export const age = (await import(new URL('age/index.ts', core).href)) as AgeLib;
const signing = (await import(new URL('ed25519.ts', core).href)) as SigningLib;

export interface Party {
  id: string;
  token: string;
  identity: string;
  recipient: string;
  signingKey: string;
  signingPublicKey: string;
}

export interface ExchangeHub extends TestHub {
  blobs: LocalBlobStore;
  blobDir: string;
  party(name: string, features: ('DATA_PRODUCER' | 'DATA_CONSUMER')[]): Promise<Party>;
  done(): Promise<void>;
}

export async function makeExchangeHub(): Promise<ExchangeHub> {
  const blobDir = mkdtempSync(join(tmpdir(), 'dme-hub-blobs-'));
  const blobs = new LocalBlobStore({ root: blobDir, secret: testConfig.urlSigningSecret, baseUrl: `${testConfig.publicUrl}/v1/blob` });
  const hub = makeHub({ blobs, blobRoutes: localBlobRoutes(blobs) });
  let n = 0;
  return {
    ...hub,
    blobs,
    blobDir,
    async party(name, features) {
      const session = await signup(hub, `${name}-${Date.now()}-${++n}`);
      const token = session.accessToken;
      for (const feature of features) {
        const r = await call(hub, 'POST', '/v1/account/enable-feature', { token, body: { feature } });
        if (r.status !== 200) throw new Error(`enable ${feature}: ${r.status} ${JSON.stringify(r.body)}`);
      }
      const { identity, recipient } = age.generateIdentity();
      const keys = await signing.generateSigningKey();
      const r = await call(hub, 'PUT', '/v1/account/keys', { token, body: { ageRecipient: recipient, signingPublicKey: keys.publicKey } });
      if (r.status !== 200) throw new Error(`keys: ${r.status} ${JSON.stringify(r.body)}`);
      return { id: session.account.id, token, identity, recipient, signingKey: keys.secretKey, signingPublicKey: keys.publicKey };
    },
    async done() {
      await hub.cleanup();
      rmSync(blobDir, { recursive: true, force: true });
    },
  };
}

export function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** Encrypts `plaintext` once; returns the payload and a way to make a grant per recipient. */
export async function encrypt(plaintext: Uint8Array) {
  const fileKey = age.randomFileKey();
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  const result = await age.encryptPayload((async function* () { yield plaintext; })(), sink, fileKey);
  const payload = new Uint8Array(Buffer.concat(chunks));
  return { payload, result, fileKey, header: (recipient: string) => b64(age.encodeHeader(fileKey, [recipient])) };
}

export interface Published {
  releaseId: string;
  payload: Uint8Array;
  fileKey: Uint8Array;
  status: number;
  /** `any`: tests probe response bodies freely and assert their shape. */
  body: any;
}

/** What a producer client does for a new subscriber: unwrap its own grant, wrap the file key for them. */
export async function rewrap(hub: TestHub, producer: Party, releaseId: string, to: { id: string; recipient: string }) {
  const own = await call(hub, 'GET', `/v1/producer/releases/${releaseId}/grant`, { token: producer.token });
  if (own.status !== 200) throw new Error(`own grant: ${own.status} ${JSON.stringify(own.body)}`);
  const fileKey = age.unwrapFileKey(new Uint8Array(Buffer.from(own.body.header, 'base64')), [producer.identity]);
  return { releaseId, recipientAccountId: to.id, recipient: to.recipient, header: b64(age.encodeHeader(fileKey, [to.recipient])) };
}

/** Sends the payload to the signed URL of an upload target through the app. */
export async function upload(hub: TestHub, url: string, bytes: Uint8Array): Promise<number> {
  const res = await hub.app.request(url, { method: 'PUT', body: new Uint8Array(bytes), headers: { 'content-length': String(bytes.length) } });
  await res.arrayBuffer();
  return res.status;
}

export function manifestFor(datasetId: string, releaseId: string, payload: { size: number; sha256: string }, plain: { size: number; sha256: string }, producerKey: string, records = 3): Manifest {
  return {
    v: 1,
    datasetId,
    releaseId,
    payloadSize: payload.size,
    payloadSha256: payload.sha256,
    plaintextSize: plain.size,
    plaintextSha256: plain.sha256,
    recordCount: records,
    schemaVersion: 'v1',
    createdAt: '2025-01-27T14:00:00Z',
    producerKey,
  };
}

/** The whole publish flow: encrypt, start, upload, sign, complete with a grant per recipient. */
export async function publish(hub: ExchangeHub, producer: Party, datasetId: string, plaintext: Uint8Array, recipients: { id: string; recipient: string }[]): Promise<Published> {
  const enc = await encrypt(plaintext);
  const start = await call(hub, 'POST', `/v1/producer/datasets/${datasetId}/releases`, {
    token: producer.token,
    body: { payloadSize: enc.payload.length, payloadSha256: enc.result.payloadSha256 },
  });
  if (start.status !== 201) throw new Error(`start: ${start.status} ${JSON.stringify(start.body)}`);
  const releaseId: string = start.body.release.id;
  const put = await upload(hub, start.body.target.url, enc.payload);
  if (put !== 200) throw new Error(`upload: ${put}`);
  const manifest = manifestFor(datasetId, releaseId, { size: enc.payload.length, sha256: enc.result.payloadSha256 }, { size: plaintext.length, sha256: enc.result.plaintextSha256 }, producer.signingPublicKey);
  const signed = await signManifest(manifest, producer.signingKey);
  const grants = [producer, ...recipients].map((p) => ({ recipientAccountId: p.id, recipient: p.recipient, header: enc.header(p.recipient) }));
  const res = await call(hub, 'POST', `/v1/producer/releases/${releaseId}/complete`, { token: producer.token, body: { manifest: signed, grants } });
  return { releaseId, payload: enc.payload, fileKey: enc.fileKey, status: res.status, body: res.body };
}

export async function createDataset(hub: TestHub, producer: Party, slug: string, status: 'DRAFT' | 'PUBLISHED' = 'PUBLISHED'): Promise<string> {
  const r = await call(hub, 'POST', '/v1/producer/datasets', { token: producer.token, body: { name: `Numbers ${slug}`, slug, format: 'csv', description: 'phone numbers' } });
  if (r.status !== 201) throw new Error(`dataset: ${r.status} ${JSON.stringify(r.body)}`);
  if (status === 'PUBLISHED') {
    const u = await call(hub, 'PUT', `/v1/producer/datasets/${r.body.id}`, { token: producer.token, body: { status: 'PUBLISHED' } });
    if (u.status !== 200) throw new Error(`publish dataset: ${u.status} ${JSON.stringify(u.body)}`);
  }
  return r.body.id as string;
}

/** Downloads through the consumer API and decrypts header + payload with the real `age` binary. */
export async function pullWithAgeCli(hub: ExchangeHub, consumer: Party, releaseId: string): Promise<{ status: number; plaintext?: Buffer; body: any }> {
  const d = await call(hub, 'GET', `/v1/consumer/download/${releaseId}`, { token: consumer.token });
  if (d.status !== 200) return { status: d.status, body: d.body };
  const res = await hub.app.request(d.body.url);
  const payload = Buffer.from(await res.arrayBuffer());
  const dir = mkdtempSync(join(tmpdir(), 'dme-pull-'));
  try {
    writeFileSync(join(dir, 'key.txt'), `${consumer.identity}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'file.age'), Buffer.concat([Buffer.from(d.body.grant.header, 'base64'), payload]));
    const plaintext = execFileSync('age', ['-d', '-i', join(dir, 'key.txt'), join(dir, 'file.age')]);
    return { status: 200, plaintext, body: d.body };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Row counts of every table: "the hub's state is unchanged" means these and the dump are equal. */
export function dump(hub: TestHub): string {
  const db = hub.store.db;
  const tables = db.prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all();
  return JSON.stringify(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}"`).all()]));
}
