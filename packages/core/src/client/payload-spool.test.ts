import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { encryptPayload, randomFileKey } from '../crypto/age/index.js';
import { agePayloadSize, PayloadSpool } from './payload-spool.js';

const dir = mkdtempSync(join(tmpdir(), 'dme-spool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const KiB = 1024;

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

/** Writes as the sealing worker does: claims each block, fills it whole (the last one short), commits it. */
async function writeAll(spool: PayloadSpool, data: Uint8Array): Promise<void> {
  for (let at = 0; at < data.length; ) {
    const block = await spool.claim();
    expect(block.buffer).toBeInstanceOf(SharedArrayBuffer);
    const n = Math.min(block.byteLength, data.length - at);
    block.set(data.subarray(at, at + n));
    spool.commit(block, n);
    at += n;
  }
  spool.finish();
}

/** Lets pending promise callbacks and I/O run a few times. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe('agePayloadSize', () => {
  it('matches what the age encryptor really writes, at the chunk boundaries', async () => {
    for (const n of [0, 1, 65_535, 65_536, 65_537, 3 * 65_536, 200_000]) {
      const sink = new PassThrough();
      sink.resume();
      const r = await encryptPayload((async function* () { yield new Uint8Array(n); })(), sink, randomFileKey(), { parallel: false });
      expect(agePayloadSize(n), `plaintext of ${n} bytes`).toBe(r.payloadBytes);
    }
  });
});

describe('PayloadSpool', () => {
  it('readers started before the writer follow it to the end, from any offset, with copies of what was written', async () => {
    const spool = new PayloadSpool({ spillPath: join(dir, 'a.spill'), blockSize: 64 * KiB });
    const data = randomBytes(600 * KiB + 17);
    const fromStart = readAll(spool.readFrom(0));
    const fromMiddle = readAll(spool.readFrom(300_000));
    await writeAll(spool, data);
    expect((await fromStart).equals(data)).toBe(true);
    expect((await fromMiddle).equals(data.subarray(300_000))).toBe(true);
    await spool.dispose();
  });

  it('holds the writer once it is readAhead past the furthest reader, and lets it on as readers advance', async () => {
    const spool = new PayloadSpool({ spillPath: join(dir, 'b.spill'), blockSize: 64 * KiB, readAhead: 256 * KiB });
    const data = randomBytes(2048 * KiB);
    let wrote = false;
    const writing = writeAll(spool, data).then(() => (wrote = true));
    await settle();
    expect(wrote).toBe(false);
    expect(spool.bytesWritten).toBe(256 * KiB);
    expect((await readAll(spool.readFrom(0))).equals(data)).toBe(true);
    await writing;
    await spool.dispose();
  });

  it('keeps only what the store has not confirmed, and refuses confirmed bytes', async () => {
    const spool = new PayloadSpool({ spillPath: join(dir, 'c.spill'), blockSize: 64 * KiB, readAhead: 128 * KiB });
    const data = randomBytes(1024 * KiB);
    const writing = writeAll(spool, data);
    const piece = 100 * KiB;
    for (let at = 0; at < data.length; at += piece) {
      const reader = spool.readFrom(at).getReader();
      let got = 0;
      while (got < Math.min(piece, data.length - at)) {
        const { value } = await reader.read();
        expect(Buffer.from(value!).equals(data.subarray(at + got, at + got + value!.byteLength))).toBe(true);
        got += value!.byteLength;
      }
      await reader.cancel();
      // The piece in flight plus the read-ahead, in whole blocks.
      expect(spool.bytesInMemory).toBeLessThanOrEqual(piece + 128 * KiB + 2 * 64 * KiB);
      spool.stored(at + piece);
    }
    await writing;
    expect(() => spool.readFrom(0)).toThrow(expect.objectContaining({ code: 'BAD_RESPONSE' }) as Error);
    await spool.dispose();
  });

  it('spills unconfirmed bytes past maxRetained to a 0600 file, so an upload can restart from byte 0', async () => {
    const path = join(dir, 'd.spill');
    const spool = new PayloadSpool({ spillPath: path, blockSize: 64 * KiB, maxRetained: 256 * KiB, readAhead: 64 * KiB });
    const data = randomBytes(1024 * KiB + 3);
    const writing = writeAll(spool, data);
    // A store without resumable offsets: the whole body is read, fails, and is read again.
    expect((await readAll(spool.readFrom(0))).equals(data)).toBe(true);
    await writing;
    expect(spool.bytesInMemory).toBeLessThanOrEqual(256 * KiB + 64 * KiB);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect((await readAll(spool.readFrom(0))).equals(data)).toBe(true);
    expect((await readAll(spool.readFrom(500_001))).equals(data.subarray(500_001))).toBe(true);
    await spool.dispose();
  });

  it('spills one block at a time when two claims are waiting, as the sealing worker keeps two', async () => {
    const spool = new PayloadSpool({ spillPath: join(dir, 'd2.spill'), blockSize: 64 * KiB, maxRetained: 256 * KiB, readAhead: 2048 * KiB });
    const data = randomBytes(1024 * KiB - 100);
    // Blocks are asked for two at a time, both before either arrives, and committed in the order asked.
    const writing = (async () => {
      for (let at = 0; at < data.length; ) {
        const pair = await Promise.all([spool.claim(), spool.claim()]);
        for (const block of pair) {
          const n = Math.min(block.byteLength, data.length - at);
          block.set(data.subarray(at, at + n));
          spool.commit(block, n);
          at += n;
        }
      }
      spool.finish();
    })();
    await writing;
    expect(spool.bytesInMemory).toBeLessThanOrEqual(256 * KiB + 64 * KiB);
    expect((await readAll(spool.readFrom(0))).equals(data)).toBe(true);
    await spool.dispose();
  });

  it('a writer failure errors every waiting reader', async () => {
    const spool = new PayloadSpool({ spillPath: join(dir, 'e.spill') });
    const reading = readAll(spool.readFrom(0));
    spool.fail(new Error('encryption failed'));
    await expect(reading).rejects.toThrow('encryption failed');
    await expect(spool.claim()).rejects.toThrow('encryption failed');
    await spool.dispose();
  });

  it('after drain() the writer runs to its end with nobody reading, and counts every byte', async () => {
    const spool = new PayloadSpool({ spillPath: join(dir, 'f.spill'), blockSize: 64 * KiB, readAhead: 64 * KiB });
    const data = randomBytes(512 * KiB);
    const writing = writeAll(spool, data);
    await settle();
    expect(spool.bytesWritten).toBe(64 * KiB);
    spool.drain();
    await writing;
    expect(spool.bytesWritten).toBe(data.length);
    expect(spool.bytesInMemory).toBe(0);
    await spool.dispose();
  });

  it('reuses a block only once the store confirmed all of it', async () => {
    const spool = new PayloadSpool({ spillPath: join(dir, 'g.spill'), blockSize: 64 * KiB, readAhead: 64 * KiB });
    const first = await spool.claim();
    spool.commit(first, 64 * KiB);
    const reader = spool.readFrom(0).getReader();
    await reader.read();
    const second = await spool.claim();
    spool.commit(second, 64 * KiB);
    await reader.read();
    spool.stored(64 * KiB - 1);
    const third = await spool.claim();
    expect(third.buffer).not.toBe(first.buffer);
    spool.commit(third, 64 * KiB);
    await reader.read();
    spool.stored(64 * KiB);
    expect((await spool.claim()).buffer).toBe(first.buffer);
    await reader.cancel();
    await spool.dispose();
  });

  it('refuses a block committed after a short one: only the last block may be short', async () => {
    const spool = new PayloadSpool({ spillPath: join(dir, 'h.spill'), blockSize: 64 * KiB });
    const [a, b] = [await spool.claim(), await spool.claim()];
    spool.commit(a, 1000);
    expect(() => spool.commit(b, 64 * KiB)).toThrow('after a short one');
    await spool.dispose();
  });
});
