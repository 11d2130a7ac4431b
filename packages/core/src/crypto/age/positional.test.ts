/**
 * The positional (file-to-file, all cores) path: which outputs qualify for it,
 * byte-identical results with the streaming path and the `age` binary, and the
 * sequential reader's error for damaged files, across batch boundaries.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { decrypt, encrypt } from './age.js';
import { AgeError } from './errors.js';
import { generateIdentity } from './keys.js';
import { positionalEnds } from './payload.js';
import { ByteReader, openFileSource } from './source.js';

const BATCH = 16 * 65536;
const { identity, recipient } = generateIdentity();
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dme-positional-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function opened(path: string, flags = 'w'): Promise<WriteStream> {
  const out = createWriteStream(path, { flags });
  await once(out, 'open');
  return out;
}

async function close(out: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

/** Workers only, or the calling thread taking batches beside them (as the CLI runs it). */
let shareThread = false;

/** Encrypts a file to a file without digests, forcing workers (the positional path). */
async function encryptFile(plain: Uint8Array, name: string): Promise<string> {
  writeFileSync(join(dir, `${name}.txt`), plain);
  const out = await opened(join(dir, `${name}.age`));
  await encrypt(await openFileSource(join(dir, `${name}.txt`)), out, [recipient], { digests: false, parallel: true, shareThread });
  await close(out);
  return join(dir, `${name}.age`);
}

async function decryptFile(path: string, onProgress?: (n: number) => void): Promise<Buffer> {
  const out = await opened(`${path}.out`);
  try {
    await decrypt(await openFileSource(path), out, [identity], { digests: false, parallel: true, shareThread, ...(onProgress ? { onProgress } : {}) });
  } finally {
    await close(out);
  }
  return readFileSync(`${path}.out`);
}

async function failure(path: string): Promise<AgeError> {
  const e = await decryptFile(path).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AgeError);
  return e as AgeError;
}

describe('positional file-to-file crypto', () => {
  it('is chosen only for a file stream opened by path at its start, with a file input and no digests', async () => {
    const path = join(dir, 'src.bin');
    writeFileSync(path, randomBytes(1000));
    const reader = new ByteReader(await openFileSource(path));
    const fresh = await opened(join(dir, 'a.out'));
    const appending = await opened(join(dir, 'b.out'), 'a');
    const viaFd = createWriteStream('', { fd: (fresh as WriteStream & { fd: number }).fd, autoClose: false });
    const opts = { digests: false, parallel: true } as const;
    expect(positionalEnds(reader, fresh, opts)).toMatchObject({ length: 1000, input: { offset: 0 }, output: { offset: 0 } });
    expect(positionalEnds(reader, fresh, { parallel: true })).toBeNull();
    expect(positionalEnds(reader, fresh, { digests: false })).toBeNull(); // small input: not worth the workers
    expect(positionalEnds(reader, appending, opts)).toBeNull();
    expect(positionalEnds(reader, viaFd, opts)).toBeNull();
    expect(positionalEnds(reader, new PassThrough(), opts)).toBeNull();
    fresh.write('x');
    expect(positionalEnds(reader, fresh, opts)).toBeNull(); // a write still queued
    await reader.close();
    await Promise.all([close(fresh), close(appending)]);
  });

});

describe.each([false, true])('positional crypto (calling thread takes batches: %s)', (share) => {
  beforeAll(() => {
    shareThread = share;
  });

  it('round-trips sizes around batch boundaries, and `age` reads the files', async () => {
    for (const size of [0, 1, BATCH, 3 * BATCH, 3 * BATCH + 65536 * 5 + 7]) {
      const plain = randomBytes(size);
      const path = await encryptFile(plain, `rt${size}`);
      expect((await decryptFile(path)).equals(plain)).toBe(true);
      const key = join(dir, 'key.txt');
      writeFileSync(key, `${identity}\n`);
      const r = spawnSync('age', ['-d', '-i', key, path], { maxBuffer: 64 << 20 });
      expect(r.status).toBe(0);
      expect(Buffer.compare(r.stdout, plain)).toBe(0);
    }
  });

  it('reports the earliest damaged chunk, truncation and trailing data like the streaming reader', async () => {
    const plain = randomBytes(6 * BATCH + 100);
    const path = await encryptFile(plain, 'dmg');
    const file = readFileSync(path);
    const payloadStart = file.length - (plain.length + Math.ceil(plain.length / 65536) * 16);
    const chunkAt = (n: number): number => payloadStart + n * 65552;
    const variant = (name: string, bytes: Uint8Array): string => {
      writeFileSync(join(dir, name), bytes);
      return join(dir, name);
    };
    const damaged = Buffer.from(file);
    damaged[chunkAt(50) + 9] ^= 1; // batch 3, claimed after batch 2, maybe by another thread
    damaged[chunkAt(40) + 3] ^= 1; // batch 2: the one to report
    const e = await failure(variant('two.age', damaged));
    expect(e.code).toBe('BAD_PAYLOAD');
    expect(e.message).toContain('chunk 40');
    expect((await failure(variant('cut.age', file.subarray(0, chunkAt(48))))).code).toBe('TRUNCATED');
    expect((await failure(variant('short.age', file.subarray(0, file.length - 5)))).code).toBe('BAD_PAYLOAD');
    expect((await failure(variant('tail.age', Buffer.concat([file, Buffer.from([0])])))).code).toBe('BAD_PAYLOAD');
    expect((await failure(variant('nonce.age', file.subarray(0, payloadStart)))).code).toBe('TRUNCATED');
  });

  it('reports progress for every batch once, whichever thread ran it', async () => {
    const plain = randomBytes(5 * BATCH + 3);
    const path = await encryptFile(plain, 'progress');
    const seen: number[] = [];
    expect((await decryptFile(path, (n) => seen.push(n))).equals(plain)).toBe(true);
    expect(seen).toHaveLength(6);
    expect(seen.at(-1)).toBe(plain.length + Math.ceil(plain.length / 65536) * 16);
  });
});
