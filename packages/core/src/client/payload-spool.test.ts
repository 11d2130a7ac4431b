import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { encryptPayload, randomFileKey } from '../crypto/age/index.js';
import type { PayloadDigestSink } from './file-digest.js';
import { agePayloadSize, PayloadSpool } from './payload-spool.js';

const dir = mkdtempSync(join(tmpdir(), 'dme-spool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const KiB = 1024;

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

const write = (out: Writable, bytes: Uint8Array): Promise<void> =>
  new Promise<void>((done, fail) => out.write(bytes, (err) => (err ? fail(err) : done())));

async function writeAll(spool: PayloadSpool, data: Uint8Array, step: number): Promise<void> {
  const out = spool.writable();
  // A fresh copy per write, reused afterwards: the spool must have copied it.
  const scratch = Buffer.alloc(step);
  for (let at = 0; at < data.length; at += step) {
    const n = Math.min(step, data.length - at);
    scratch.set(data.subarray(at, at + n));
    await write(out, scratch.subarray(0, n));
    scratch.fill(0xee);
  }
  await new Promise<void>((done) => out.end(done));
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
    await writeAll(spool, data, 50_000);
    expect((await fromStart).equals(data)).toBe(true);
    expect((await fromMiddle).equals(data.subarray(300_000))).toBe(true);
    await spool.dispose();
  });

  it('holds the writer once it is readAhead past the furthest reader, and lets it on as readers advance', async () => {
    const spool = new PayloadSpool({ spillPath: join(dir, 'b.spill'), blockSize: 64 * KiB, readAhead: 256 * KiB });
    const data = randomBytes(2048 * KiB);
    let wrote = false;
    const writing = writeAll(spool, data, 32 * KiB).then(() => (wrote = true));
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
    const writing = writeAll(spool, data, 40_000);
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
    const writing = writeAll(spool, data, 30_000);
    // A store without resumable offsets: the whole body is read, fails, and is read again.
    expect((await readAll(spool.readFrom(0))).equals(data)).toBe(true);
    await writing;
    expect(spool.bytesInMemory).toBeLessThanOrEqual(256 * KiB + 64 * KiB);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect((await readAll(spool.readFrom(0))).equals(data)).toBe(true);
    expect((await readAll(spool.readFrom(500_001))).equals(data.subarray(500_001))).toBe(true);
    await spool.dispose();
  });

  it('a writer failure errors every waiting reader', async () => {
    const spool = new PayloadSpool({ spillPath: join(dir, 'e.spill') });
    const reading = readAll(spool.readFrom(0));
    spool.fail(new Error('encryption failed'));
    await expect(reading).rejects.toThrow('encryption failed');
    const out = spool.writable();
    out.on('error', () => undefined);
    await expect(write(out, new Uint8Array(10))).rejects.toThrow('encryption failed');
    await spool.dispose();
  });

  it('after drain() the writer runs to its end with nobody reading, and counts every byte', async () => {
    const spool = new PayloadSpool({ spillPath: join(dir, 'f.spill'), blockSize: 64 * KiB, readAhead: 64 * KiB });
    const data = randomBytes(512 * KiB);
    const writing = writeAll(spool, data, 32 * KiB);
    await settle();
    expect(spool.bytesWritten).toBe(64 * KiB);
    spool.drain();
    await writing;
    expect(spool.bytesWritten).toBe(data.length);
    expect(spool.bytesInMemory).toBe(0);
    await spool.dispose();
  });

  /** A sink that hashes only when told: it keeps each block with a copy of what it held when handed over. */
  function slowSink(): PayloadDigestSink & { posted: Array<{ block: Uint8Array; copy: Buffer }>; hashTo(n: number): void } {
    let hashed = 0;
    const sink = {
      posted: [] as Array<{ block: Uint8Array; copy: Buffer }>,
      add(block: Uint8Array, length: number) {
        expect(block.buffer).toBeInstanceOf(SharedArrayBuffer);
        sink.posted.push({ block: block.subarray(0, length), copy: Buffer.from(block.subarray(0, length)) });
      },
      onHashed: (_n: number) => undefined as void,
      hashTo(n: number) {
        let at = 0;
        for (const p of sink.posted) {
          const end = at + p.copy.length;
          // Until it is hashed, a block keeps the bytes it was handed over with.
          if (end > hashed && end <= n) expect(Buffer.from(p.block).equals(p.copy)).toBe(true);
          at = end;
        }
        hashed = n;
        sink.onHashed(n);
      },
    };
    return sink;
  }

  it('hands every byte to the digest sink in order, and reuses a block only once it is both stored and hashed', async () => {
    const sink = slowSink();
    const spool = new PayloadSpool({ spillPath: join(dir, 'g.spill'), blockSize: 64 * KiB, readAhead: 64 * KiB, maxRetained: 256 * KiB, digest: sink });
    const data = randomBytes(1024 * KiB + 5);
    const writing = writeAll(spool, data, 24_000);
    const reader = spool.readFrom(0).getReader();
    let read = 0;
    // The store confirms all it gets; the sink hashes nothing yet: the writer stops at maxRetained unhashed bytes.
    for (let i = 0; i < 50; i++) {
      const next = await Promise.race([reader.read(), settle().then(() => null)]);
      if (!next) break;
      read += next.value!.byteLength;
      spool.stored(read);
    }
    expect(spool.bytesWritten).toBe(256 * KiB);
    expect(spool.bytesInMemory).toBe(256 * KiB);
    // Hash block by block: the writer goes on, and the blocks it reuses were hashed first (checked by hashTo).
    let hashed = 0;
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        read += value.byteLength;
        spool.stored(read);
      }
    })();
    while (hashed < data.length) {
      await settle();
      const posted = sink.posted.reduce((n, p) => n + p.copy.length, 0);
      expect(posted).toBeGreaterThan(hashed);
      hashed = Math.min(posted, hashed + 64 * KiB);
      sink.hashTo(hashed);
    }
    await writing;
    await pump;
    expect(Buffer.concat(sink.posted.map((p) => p.copy)).equals(data)).toBe(true);
    await spool.dispose();
  });

  it('hands the digest sink the last, partial block when the readers are done before the writer finishes', async () => {
    const sink = slowSink();
    const spool = new PayloadSpool({ spillPath: join(dir, 'h.spill'), blockSize: 64 * KiB, digest: sink });
    const out = spool.writable();
    const data = randomBytes(100 * KiB);
    await write(out, data);
    spool.drain();
    expect(Buffer.concat(sink.posted.map((p) => p.copy)).equals(data)).toBe(true);
    spool.finish();
    expect(sink.posted).toHaveLength(2);
    await spool.dispose();
  });
});
