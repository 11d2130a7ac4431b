import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encryptPayload, randomFileKey } from '../crypto/age/index.js';
import { agePayloadSize, StagedPayload } from './staged-payload.js';

const dir = mkdtempSync(join(tmpdir(), 'dme-staged-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) parts.push(chunk);
  return Buffer.concat(parts);
}

describe('agePayloadSize', () => {
  it('matches what the age encryptor really writes, at the chunk boundaries', async () => {
    for (const n of [0, 1, 65_535, 65_536, 65_537, 3 * 65_536, 200_000]) {
      const sink = new (await import('node:stream')).PassThrough();
      sink.resume();
      const r = await encryptPayload((async function* () { yield new Uint8Array(n); })(), sink, randomFileKey(), { parallel: false });
      expect(agePayloadSize(n), `plaintext of ${n} bytes`).toBe(r.payloadBytes);
    }
  });
});

describe('StagedPayload', () => {
  it('a reader started before the writer follows it to the end, from any offset', async () => {
    const staged = await StagedPayload.create(join(dir, 'a.bin'));
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const fromStart = readAll(staged.readFrom(0));
    const fromMiddle = readAll(staged.readFrom(1_000_000));
    const out = staged.writable();
    for (let at = 0; at < data.length; at += 300_000) {
      await new Promise<void>((done, fail) => out.write(data.subarray(at, at + 300_000), (err) => (err ? fail(err) : done())));
      // Readers must wait at the frontier, not end early.
      await new Promise((r) => setImmediate(r));
    }
    await new Promise<void>((done) => out.end(done));
    staged.finish();
    expect((await fromStart).equals(data)).toBe(true);
    expect((await fromMiddle).equals(data.subarray(1_000_000))).toBe(true);
    expect(readFileSync(join(dir, 'a.bin')).equals(data)).toBe(true);
    await staged.dispose();
  });

  it('a writer failure errors every waiting reader', async () => {
    const staged = await StagedPayload.create(join(dir, 'b.bin'));
    const reading = readAll(staged.readFrom(0));
    staged.fail(new Error('encryption failed'));
    await expect(reading).rejects.toThrow('encryption failed');
    await staged.dispose();
  });

  it('serves readers at the frontier from memory and readers further back from the file', async () => {
    const path = join(dir, 'c.bin');
    const staged = await StagedPayload.create(path);
    const out = staged.writable();
    const data = randomBytes(12 * 1024 * 1024 + 5);
    const write = (from: number, to: number): Promise<void> =>
      new Promise<void>((done, fail) => out.write(Buffer.from(data.subarray(from, to)), (err) => (err ? fail(err) : done())));
    // 12 MiB in uneven chunks: more than the in-memory window holds.
    for (let at = 0; at < data.length; at += 700_001) await write(at, Math.min(at + 700_001, data.length));
    // Rewrite the last bytes on disk behind the payload's back: a frontier reader still gets what was written.
    const tail = data.length - 100_000;
    const other = await open(path, 'r+');
    await other.write(new Uint8Array(100_000), 0, 100_000, tail);
    await other.close();
    await new Promise<void>((done) => out.end(done));
    staged.finish();
    expect((await readAll(staged.readFrom(tail))).equals(data.subarray(tail))).toBe(true);
    // From byte 0 the reader starts on disk (outside the window) and crosses into memory.
    const all = await readAll(staged.readFrom(0));
    expect(all.length).toBe(data.length);
    expect(all.subarray(0, 1_000_000).equals(data.subarray(0, 1_000_000))).toBe(true);
    expect(all.subarray(tail).equals(data.subarray(tail))).toBe(true);
    await staged.dispose();
  });

  it('never overwrites an existing file', async () => {
    await expect(StagedPayload.create(join(dir, 'a.bin'))).rejects.toMatchObject({ code: 'EEXIST' });
  });
});
