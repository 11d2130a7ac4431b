/** sendFileRegion against real files and a real Writable: exact bytes, a file shorter than promised, a reader gone. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendFileRegion } from './send-file.js';

const MiB = 1024 * 1024;
let dir: string;
let path: string;
const data = randomBytes(3 * MiB + 777);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dme-send-'));
  path = join(dir, 'object');
  await writeFile(path, data);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A Writable that copies what it is given (the sender reuses its buffers) after a delay, as a slow socket would. */
function collector(opts: { failAfter?: number } = {}): { out: Writable; bytes: () => Buffer; reads: { n: number } } {
  const parts: Buffer[] = [];
  let got = 0;
  const reads = { n: 0 };
  const out = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, done) {
      setTimeout(() => {
        if (opts.failAfter !== undefined && got >= opts.failAfter) return done(new Error('client went away'));
        parts.push(Buffer.from(chunk));
        got += chunk.byteLength;
        reads.n++;
        done();
      }, 5);
    },
  });
  return { out, bytes: () => Buffer.concat(parts), reads };
}

describe('sendFileRegion', () => {
  it('writes exactly the requested bytes, whole or a range, and ends the stream', async () => {
    for (const [start, end] of [
      [0, data.length - 1],
      [12_345, 2 * MiB + 99],
      [data.length - 1, data.length - 1],
    ] as const) {
      const file = await open(path, 'r');
      const { out, bytes } = collector();
      await sendFileRegion(file, out, start, end);
      await file.close();
      expect(out.writableFinished).toBe(true);
      expect(bytes().equals(data.subarray(start, end + 1))).toBe(true);
    }
  });

  it('rejects when the file ends before the region does', async () => {
    const file = await open(path, 'r');
    const { out, bytes } = collector();
    await expect(sendFileRegion(file, out, 0, data.length + MiB)).rejects.toThrow(/ended at byte 3146505/);
    await file.close();
    // Writes already handed over may still land: a prefix of the file, never more.
    expect(data.subarray(0, bytes().length).equals(bytes())).toBe(true);
    expect(out.writableEnded).toBe(false);
  });

  it('stops reading once a write fails (the client left)', async () => {
    const file = await open(path, 'r');
    const { out, reads } = collector({ failAfter: MiB });
    out.on('error', () => undefined);
    await expect(sendFileRegion(file, out, 0, data.length - 1)).rejects.toThrow(/went away/);
    await file.close();
    expect(reads.n).toBe(1);
  });
});
