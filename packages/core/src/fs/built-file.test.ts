import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { builtFile, packageRoot } from './built-file.js';

const root = mkdtempSync(join(tmpdir(), 'dme-built-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const url = (rel: string) => pathToFileURL(join(root, rel)).href;

describe('built files', () => {
  it('finds the package root from a module in dist/, in a bundle chunk and in src/', () => {
    expect(packageRoot(url('dist/sync/import/scratch-plan.js'))).toBe(root);
    expect(packageRoot(url('dist-bundle/sync-lku-V7Sc.mjs'))).toBe(root);
    expect(packageRoot(url('src/sync/import/scratch-plan.ts'))).toBe(root);
    expect(packageRoot(url('elsewhere/x.js'))).toBeNull();
  });

  it('takes a worker script from dist/ whatever the asking module is, and only once it is built', () => {
    const worker = join(root, 'dist/sync/import/scratch-worker.js');
    expect(builtFile(url('dist-bundle/sync-lku-V7Sc.mjs'), 'sync/import/scratch-worker.js')).toBeNull();
    mkdirSync(join(root, 'dist/sync/import'), { recursive: true });
    writeFileSync(worker, '');
    for (const from of ['dist-bundle/sync-lku-V7Sc.mjs', 'dist/sync/import/scratch-plan.js', 'src/sync/import/scratch-plan.ts']) {
      expect(builtFile(url(from), 'sync/import/scratch-worker.js')).toBe(worker);
    }
  });
});
