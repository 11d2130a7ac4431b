/**
 * publishFile against a real hub (startHub on 127.0.0.1, local blob store):
 * the payload is uploaded as it is encrypted, from memory, so every way an
 * upload piece can fail must still end in a release whose bytes decrypt to
 * the file: an expired URL renewed mid-transfer, a connection cut mid-piece
 * (resumed from the offset the store reports), a 503. A failure the upload
 * cannot get past publishes nothing and leaves no temp file behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2eHub, type E2eHub } from '../../test/e2e/hub-fixture.js';
import { loadSecrets } from '../identity/store.js';
import { connect, type Connection } from './connect.js';
import { publishFile, type PublishOptions } from './publish.js';
import { pullRelease } from './pull.js';

let h: E2eHub;
let conn: Connection;
let base: Omit<PublishOptions, 'file'>;
let datasetId: string;
const envOf = (user: string): Record<string, string> => ({ DME_HUB_URL: h.url, DME_HOME: h.home(user), DME_KEYCHAIN: 'off', HOME: h.dir });

beforeAll(async () => {
  h = await startE2eHub();
  await h.user('producer', 'producer');
  const dataset = JSON.parse(await h.ok('producer', ['datasets', 'create', '--name', 'Blobs', '--slug', 'blobs', '--format', 'csv', '--publish', '--json'])) as { id: string };
  // An approved subscriber, who gets a grant and pulls the release back.
  await h.user('alice', 'consumer');
  const sub = JSON.parse(await h.ok('alice', ['subscribe', 'blobs', '--json'])) as { id: string };
  await h.ok('producer', ['approve', sub.id]);
  const env = envOf('producer');
  conn = await connect(env);
  const { identity, secrets } = await loadSecrets(h.home('producer'), env);
  const account = await conn.hub.profile();
  datasetId = dataset.id;
  base = { hub: conn.hub, accountId: account.id, identity, secrets, datasetId, profile: false, pieceSize: 256 * 1024 };
}, 120_000);
afterAll(async () => h?.close());

type Faults = Array<((url: string, init: RequestInit) => Promise<Response>) | undefined>;

/** fetch to the upload URLs, with scripted faults for the PUTs in order (undefined: pass through); `seen` gets each PUT's first byte. */
function faulty(faults: Faults, seen: number[]): typeof fetch {
  let put = 0;
  return async (input, init = {}) => {
    const url = String(input instanceof Request ? input.url : input);
    if (init.method === 'PUT') {
      const range = (init.headers as Record<string, string> | undefined)?.['Content-Range'] ?? '';
      seen.push(Number(/^bytes (\d+)-/.exec(range)?.[1] ?? -1));
      const fault = faults[put++]?.(url, init);
      if (fault) return fault;
    }
    return fetch(input, init);
  };
}

/** Sends only the first `n` bytes of the body, then breaks the request. */
function cutAfter(n: number): (url: string, init: RequestInit) => Promise<Response> {
  return (url, init) => {
    const reader = (init.body as ReadableStream<Uint8Array>).getReader();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        const { done, value } = await reader.read();
        if (done || sent >= n) return c.error(new TypeError('connection reset'));
        const part = value.subarray(0, n - sent);
        sent += part.byteLength;
        c.enqueue(part);
      },
    });
    return fetch(url, { ...init, body, duplex: 'half' } as RequestInit);
  };
}

const expired = (): Promise<Response> =>
  Promise.resolve(new Response(JSON.stringify({ error: { code: 'URL_EXPIRED', message: 'upload URL expired' } }), { status: 403 }));

describe('publishFile', () => {
  it('gets past an expired URL, a cut connection and a 503, and the release decrypts to the file', async () => {
    const file = join(h.dir, 'payload.bin');
    const data = randomBytes(1024 * 1024 + 12_345);
    writeFileSync(file, data);
    const seen: number[] = [];
    const progress: number[] = [];
    let renewals = 0;
    const hub = Object.assign(Object.create(conn.hub) as typeof conn.hub, {
      renewUploadTarget: (id: string) => (renewals++, conn.hub.renewUploadTarget(id)),
    });
    const result = await publishFile({
      ...base,
      hub,
      file,
      uploadFetch: faulty([undefined, expired, cutAfter(100_000), () => Promise.resolve(new Response('busy', { status: 503 }))], seen),
      onProgress: (phase, done) => phase === 'upload' && progress.push(done),
    });
    expect(result.release.plaintextSize).toBe(data.length);
    expect(renewals).toBe(1);
    // The second piece: expired, then cut after 100 000 bytes; resumed where the store stopped
    // (what it kept of the cut piece depends on when the break reached it), answered 503, sent again.
    const piece = 256 * 1024;
    expect(seen.slice(0, 3)).toEqual([0, piece, piece]);
    expect(seen[3]).toBeGreaterThanOrEqual(piece);
    expect(seen[3]).toBeLessThanOrEqual(piece + 100_000);
    expect(seen[4]).toBe(seen[3]);
    expect(Math.max(...progress)).toBe(result.release.payloadSize);

    expect(result.grants).toBe(2);
    const output = join(h.dir, 'pulled.bin');
    const alice = await connect(envOf('alice'));
    const { secrets } = await loadSecrets(h.home('alice'), envOf('alice'));
    await pullRelease({ hub: alice.hub, secrets, releaseId: result.release.id, output });
    expect(readFileSync(output).equals(data)).toBe(true);
  });

  it('publishes nothing when the store refuses the upload, and leaves no temp file', async () => {
    const file = join(h.dir, 'refused.bin');
    writeFileSync(file, randomBytes(700_000));
    const tempDir = join(h.dir, 'staging');
    mkdirSync(tempDir);
    const published = async (): Promise<number> => (await conn.hub.listReleases(datasetId)).items.filter((r) => r.status === 'published').length;
    const before = await published();
    const refuse = (): Promise<Response> => Promise.resolve(new Response(JSON.stringify({ error: { code: 'SIZE_MISMATCH', message: 'no' } }), { status: 400 }));
    await expect(publishFile({ ...base, file, tempDir, uploadFetch: faulty([refuse], []) })).rejects.toMatchObject({ code: 'HTTP_ERROR', status: 400 });
    expect(await published()).toBe(before);
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('encrypts while the account and dataset are still being looked up', async () => {
    const file = join(h.dir, 'looked-up.bin');
    const data = randomBytes(300_000);
    writeFileSync(file, data);
    let answer!: (id: string) => void;
    const later = new Promise<string>((resolve) => (answer = resolve));
    const starts: string[] = [];
    const hub = Object.assign(Object.create(conn.hub) as typeof conn.hub, {
      startRelease: (id: string, body: { payloadSize: number }) => (starts.push(id), conn.hub.startRelease(id, body)),
    });
    const publishing = publishFile({ ...base, hub, file, datasetId: later, accountId: Promise.resolve(base.accountId as string) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(starts).toEqual([]);
    answer(datasetId);
    const result = await publishing;
    expect(starts).toEqual([datasetId]);
    expect(result.release.datasetId).toBe(datasetId);
    expect(result.release.plaintextSize).toBe(data.length);
  });

  it('stops, starting no release, when the dataset lookup fails', async () => {
    const file = join(h.dir, 'unknown.bin');
    writeFileSync(file, 'e164,carrier\n+15550000001,acme\n');
    const releasesBefore = (await conn.hub.listReleases(datasetId)).items.length;
    const phases: string[] = [];
    for (const profile of [false, true]) {
      const lookup = Promise.reject(new Error('you have no dataset with id or slug "nope"'));
      await expect(publishFile({ ...base, file, profile, datasetId: lookup, onProgress: (phase) => phases.push(phase) })).rejects.toThrow('"nope"');
    }
    // Profiling waits for the lookup: a wrong dataset fails before a pass over the file.
    expect(phases).toEqual([]);
    expect((await conn.hub.listReleases(datasetId)).items.length).toBe(releasesBefore);
  });
});
