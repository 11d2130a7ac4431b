/**
 * Kill -9 in the middle of an import: a child process (the compiled dist,
 * which the core global setup builds) imports a large file and is SIGKILLed
 * once rows are flowing. The library must come back with the previous
 * release intact, no staging table, no scratch directory (a snapshot this
 * big loads in parallel), and accept the release again, once.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLibrary } from '../library/library.js';
import type { LibraryDataset, ReleaseInfo } from '../library/metadata.js';
import { importRelease } from './import.js';

const DIST = fileURLToPath(new URL('../../../dist/sync/', import.meta.url));
const ROWS = 400_000;

const dataset = (mode: 'snapshot' | 'incremental'): LibraryDataset => ({
  id: `ds-${mode}`,
  slug: `crash-${mode}`,
  name: 'Crash',
  producer: 'p',
  importMode: mode,
  keyColumns: mode === 'incremental' ? ['e164'] : [],
  columns: [
    { name: 'e164', type: 'phone_e164', nullable: false },
    { name: 'n', type: 'integer', nullable: false },
    { name: 'status', type: 'text', nullable: false },
  ],
});
const release = (id: string): ReleaseInfo => ({ id, schemaVersion: 'v1', payloadSha256: 'c'.repeat(64), plaintextSha256: 'd'.repeat(64), producerKeyFingerprint: 'fp' });

const CHILD = `
import { createReadStream, statSync } from 'node:fs';
const [dist, libPath, csvPath, datasetJson, releaseJson] = process.argv.slice(1);
const { openLibrary } = await import(dist + 'library/index.js');
const { importRelease } = await import(dist + 'import/index.js');
const lib = openLibrary(libPath);
let told = false;
await importRelease(lib, {
  dataset: JSON.parse(datasetJson), release: JSON.parse(releaseJson), source: createReadStream(csvPath),
  // Declared as a manifest would: a snapshot this big loads in parallel through scratch files.
  plaintextSize: statSync(csvPath).size,
  onProgress: (p) => { if (!told && p.rows >= 20000) { told = true; process.stdout.write('importing\\n'); } },
});
process.stdout.write('done\\n');
`;

let dir: string;
let big: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dme-crash-'));
  big = join(dir, 'big.csv');
  const out = createWriteStream(big);
  out.write('e164,n,status\n');
  for (let i = 0; i < ROWS; i += 1000) {
    let chunk = '';
    for (let j = i; j < i + 1000; j++) chunk += `+1303${String(j).padStart(7, '0')},${j},${j % 3 ? 'assigned' : 'available'}\n`;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const scratchDirs = (): string[] => readdirSync(dir).filter((n) => n.startsWith('.dme-import-'));

async function killMidImport(libPath: string, ds: LibraryDataset, rel: ReleaseInfo): Promise<{ signal: NodeJS.Signals | null; out: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, pathToFileURL(DIST).href, libPath, big, JSON.stringify(ds), JSON.stringify(rel)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('importing')) child.kill('SIGKILL');
  });
  const [, signal] = await exited;
  clearTimeout(timer);
  if (!out.includes('importing')) throw new Error(`child never started importing: ${err}`);
  return { signal, out };
}

describe('an import killed with SIGKILL', () => {
  for (const mode of ['snapshot', 'incremental'] as const) {
    it(`${mode}: leaves the previous release intact and imports the release exactly once afterwards`, async () => {
      const libPath = join(dir, `${mode}.db`);
      const ds = dataset(mode);
      const lib = openLibrary(libPath);
      await importRelease(lib, { dataset: ds, release: release('r1'), source: Readable.from([Buffer.from('e164,n,status\n+19990000001,1,old\n+19990000002,2,old\n')]) });
      lib.close();

      const { signal, out } = await killMidImport(libPath, ds, release('r2'));
      expect(signal).toBe('SIGKILL');
      expect(out).not.toContain('done');

      if (mode === 'snapshot') expect(scratchDirs()).toHaveLength(1); // the killed parallel load's
      const after = openLibrary(libPath);
      expect(scratchDirs()).toEqual([]);
      const table = after.dataset(ds.id)!.tableName;
      expect(after.db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(after.db.prepare(`SELECT e164, status FROM "${table}" ORDER BY e164`).all()).toEqual([
        { e164: '+19990000001', status: 'old' },
        { e164: '+19990000002', status: 'old' },
      ]);
      expect(after.releases(ds.id).map((r) => r.id)).toEqual(['r1']);
      expect(after.db.prepare("SELECT name FROM sqlite_schema WHERE name LIKE 'dme_staging%'").all()).toEqual([]);

      const again = await importRelease(after, { dataset: ds, release: release('r2'), source: createReadStream(big) });
      expect(again).toMatchObject({ rows: ROWS, skipped: false });
      const twice = await importRelease(after, { dataset: ds, release: release('r2'), source: createReadStream(big) });
      expect(twice).toMatchObject({ rows: ROWS, skipped: true });
      const expected = mode === 'snapshot' ? ROWS : ROWS + 2;
      expect(after.db.prepare(`SELECT count(*) AS n, count(DISTINCT e164) AS d FROM "${table}"`).get()).toEqual({ n: expected, d: expected });
      expect(after.releases(ds.id).map((r) => [r.id, r.rows])).toEqual([
        ['r2', ROWS],
        ['r1', 2],
      ]);
      after.close();
    });
  }
});
