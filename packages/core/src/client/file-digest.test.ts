import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPublishDigests } from './file-digest.js';
import { PayloadSpool } from './payload-spool.js';

const dir = mkdtempSync(join(tmpdir(), 'dme-file-digest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('startPublishDigests', () => {
  it('gives the SHA-256 and size of the whole file, across its 1 MiB reads', async () => {
    for (const size of [0, 1, (1 << 20) - 1, 1 << 20, 3 * (1 << 20) + 17]) {
      const bytes = randomBytes(size);
      const path = join(dir, `f${size}`);
      writeFileSync(path, bytes);
      const digests = startPublishDigests(path);
      await expect(digests.file).resolves.toEqual({ sha256: sha256(bytes), bytes: size });
      await digests.cancel();
    }
  });

  it('hashes the payload from the blocks a spool fills while it reads the file, and reports what it hashed', async () => {
    const file = randomBytes(5 * (1 << 20) + 3);
    const path = join(dir, 'plain');
    writeFileSync(path, file);
    const digests = startPublishDigests(path);
    const spool = new PayloadSpool({ spillPath: join(dir, 'spill'), blockSize: 256 * 1024, maxRetained: 1 << 20, digest: digests.payload });
    const payload = randomBytes(7 * (1 << 20) + 11);
    const reading = (async () => {
      let n = 0;
      for await (const chunk of spool.readFrom(0) as unknown as AsyncIterable<Uint8Array>) spool.stored((n += chunk.byteLength));
    })();
    const out = spool.writable();
    for (let at = 0; at < payload.length; at += 100_000) {
      // A copy per write: the spool must keep its own until the worker has hashed it.
      const piece = Buffer.from(payload.subarray(at, at + 100_000));
      await new Promise<void>((done, fail) => out.write(piece, (err) => (err ? fail(err) : done())));
      piece.fill(0);
    }
    await new Promise<void>((done) => out.end(done));
    spool.finish();
    await reading;
    await expect(digests.payload.end()).resolves.toEqual({ sha256: sha256(payload), bytes: payload.length });
    await expect(digests.file).resolves.toEqual({ sha256: sha256(file), bytes: file.length });
    // Memory stayed bounded by the spool's maxRetained while the worker hashed.
    expect(spool.bytesInMemory).toBeLessThanOrEqual(1 << 20);
    await spool.dispose();
    await digests.cancel();
  });

  it('refuses a block that is not shared memory', async () => {
    const digests = startPublishDigests(join(dir, 'f1'));
    expect(() => digests.payload.add(new Uint8Array(16), 16)).toThrow(TypeError);
    await digests.cancel();
  });

  it('rejects both digests and `failed` for a file it cannot read', async () => {
    const digests = startPublishDigests(join(dir, 'missing'));
    await expect(digests.file).rejects.toThrow(/ENOENT/);
    await expect(digests.failed).rejects.toThrow(/ENOENT/);
    await expect(digests.payload.end()).rejects.toThrow(/ENOENT/);
    await digests.cancel();
  });
});
