import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { digestFileInWorker } from './file-digest.js';

const dir = mkdtempSync(join(tmpdir(), 'dme-file-digest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('digestFileInWorker', () => {
  it('gives the SHA-256 and size of the whole file, across its 1 MiB reads', async () => {
    for (const size of [0, 1, (1 << 20) - 1, 1 << 20, 3 * (1 << 20) + 17]) {
      const bytes = randomBytes(size);
      const path = join(dir, `f${size}`);
      writeFileSync(path, bytes);
      const digest = digestFileInWorker(path);
      await expect(digest.result).resolves.toEqual({ sha256: createHash('sha256').update(bytes).digest('hex'), bytes: size });
      await digest.cancel();
    }
  });

  it('rejects for a file it cannot read', async () => {
    const digest = digestFileInWorker(join(dir, 'missing'));
    await expect(digest.result).rejects.toThrow(/ENOENT/);
    await digest.cancel();
  });
});
