import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeHeader, generateIdentity, randomFileKey } from '../crypto/age/index.js';
import { agePayloadSize } from './payload-spool.js';
import { runInNewContext } from 'node:vm';
import { prestartSealWorker, sealFile, startSealWorker, type BlockSink } from './seal-worker.js';

const dir = mkdtempSync(join(tmpdir(), 'dme-seal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Keeps every committed block's bytes, in order; `blockSize` bytes per block. */
function collector(blockSize: number): BlockSink & { bytes(): Buffer; claims: number } {
  const parts: Buffer[] = [];
  const sink = {
    claims: 0,
    claim: async () => {
      sink.claims++;
      return new Uint8Array(new SharedArrayBuffer(blockSize));
    },
    commit: (block: Uint8Array, length: number) => void parts.push(Buffer.from(block.subarray(0, length))),
    bytes: () => Buffer.concat(parts),
  };
  return sink;
}

/** Decrypts header + payload with the reference age CLI. */
function ageDecrypt(payload: Uint8Array, fileKey: Uint8Array): Buffer {
  const { identity, recipient } = generateIdentity();
  const file = join(dir, 'sealed.age');
  writeFileSync(file, Buffer.concat([encodeHeader(fileKey, [recipient]), payload]));
  writeFileSync(join(dir, 'key.txt'), `${identity}\n`, { mode: 0o600 });
  return execFileSync('/usr/bin/age', ['-d', '-i', join(dir, 'key.txt'), file], { maxBuffer: 64 << 20 });
}

describe('sealFile', () => {
  // Sizes around the chunk (64 KiB) and batch (1 MiB) boundaries; blocks that cut batches and chunks anywhere.
  const cases: Array<[number, number]> = [
    [0, 64 * 1024],
    [1, 64 * 1024],
    [65_536, 4096],
    [65_537, 100_000],
    [1024 * 1024, 1024 * 1024 + 256],
    [3 * 1024 * 1024 + 5, 1_000_003],
    [2 * 1024 * 1024, 4 * 1024 * 1024],
  ];
  for (const [size, blockSize] of cases) {
    it(`seals ${size} bytes into ${blockSize}-byte blocks: age decrypts it, and both digests are right`, async () => {
      const file = join(dir, `plain-${size}`);
      const plain = randomBytes(size);
      writeFileSync(file, plain);
      const fileKey = randomFileKey();
      const sink = collector(blockSize);
      const { plaintext, payload } = await sealFile(file, size, fileKey, sink).done;
      const sealed = sink.bytes();
      expect(sealed.length).toBe(agePayloadSize(size));
      expect(payload).toEqual({ sha256: sha256(sealed), bytes: sealed.length });
      expect(plaintext).toEqual({ sha256: sha256(plain), bytes: size });
      expect(ageDecrypt(sealed, fileKey).equals(plain)).toBe(true);
      expect(sink.claims).toBeLessThanOrEqual(Math.ceil(sealed.length / blockSize) + 2);
    });
  }

  it('seals on a worker started ahead of the file, which waits idle until then and is used up by it', async () => {
    const worker = startSealWorker();
    await once(worker, 'online');
    const file = join(dir, 'ahead');
    const plain = randomBytes(2 * 1024 * 1024 + 17);
    writeFileSync(file, plain);
    const fileKey = randomFileKey();
    const sink = collector(1024 * 1024);
    const exited = once(worker, 'exit');
    const { plaintext } = await sealFile(file, plain.length, fileKey, sink, worker).done;
    expect(plaintext).toEqual({ sha256: sha256(plain), bytes: plain.length });
    expect(ageDecrypt(sink.bytes(), fileKey).equals(plain)).toBe(true);
    // Its work done, the worker closes its port and its thread ends.
    await exited;
  });

  it('collects on its own thread: gc() is exposed while a worker starts, and to nothing else once it did', async () => {
    const gcVisible = (): string => runInNewContext('typeof gc') as string;
    expect(gcVisible()).toBe('undefined');
    const file = join(dir, 'collects');
    const plain = randomBytes(5 * 1024 * 1024 + 3);
    writeFileSync(file, plain);
    const fileKey = randomFileKey();
    const sink = collector(4 * 1024 * 1024);
    const { plaintext } = await sealFile(file, plain.length, fileKey, sink).done;
    expect(plaintext.sha256).toBe(sha256(plain));
    expect(ageDecrypt(sink.bytes(), fileKey).equals(plain)).toBe(true);
    expect(gcVisible()).toBe('undefined');
    // Started ahead and dropped before it was ready: its exit withdraws gc() as well.
    prestartSealWorker();
    const dropped = startSealWorker();
    expect(gcVisible()).toBe('function');
    await dropped.terminate();
    expect(gcVisible()).toBe('undefined');
  });

  it('reads only the size it was given, and fails when the file is shorter', async () => {
    const file = join(dir, 'shrinks');
    writeFileSync(file, randomBytes(3 * 1024 * 1024));
    const grown = await sealFile(file, 1024 * 1024, randomFileKey(), collector(1 << 20)).done;
    expect(grown.plaintext.bytes).toBe(1024 * 1024);
    truncateSync(file, 2 * 1024 * 1024);
    await expect(sealFile(file, 3 * 1024 * 1024, randomFileKey(), collector(1 << 20)).done).rejects.toThrow('shrank');
  });

  it('fails for a file it cannot open', async () => {
    await expect(sealFile(join(dir, 'missing'), 10, randomFileKey(), collector(4096)).done).rejects.toThrow(/missing/);
  });

  it('cancel() stops the worker, and done rejects with the reason given', async () => {
    const file = join(dir, 'big');
    writeFileSync(file, randomBytes(8 * 1024 * 1024));
    // A sink that never has room: the worker waits for its blocks.
    let claimed = 0;
    const stuck: BlockSink = {
      claim: () => {
        claimed++;
        return new Promise<Uint8Array>(() => undefined);
      },
      commit: () => undefined,
    };
    const sealing = sealFile(file, 8 * 1024 * 1024, randomFileKey(), stuck);
    const reason = new Error('the upload failed');
    await sealing.cancel(reason);
    await expect(sealing.done).rejects.toBe(reason);
    expect(claimed).toBeGreaterThan(0);
  });

  it('a sink that refuses a block fails the sealing with its error (not the process)', async () => {
    const file = join(dir, 'refused');
    writeFileSync(file, randomBytes(3 * 1024 * 1024));
    const refusing: BlockSink = {
      claim: async () => new Uint8Array(new SharedArrayBuffer(1 << 20)),
      commit: () => {
        throw new Error('no room for this block');
      },
    };
    await expect(sealFile(file, 3 * 1024 * 1024, randomFileKey(), refusing).done).rejects.toThrow('no room for this block');
  });

  it('refuses a block that is not a whole SharedArrayBuffer', async () => {
    const file = join(dir, 'small');
    writeFileSync(file, randomBytes(1000));
    const plainMemory: BlockSink = { claim: async () => new Uint8Array(4096), commit: () => undefined };
    await expect(sealFile(file, 1000, randomFileKey(), plainMemory).done).rejects.toThrow('SharedArrayBuffer');
  });
});
