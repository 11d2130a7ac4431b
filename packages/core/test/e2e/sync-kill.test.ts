/**
 * `dme sync` as a real process against a real hub, killed at the worst
 * moments (issue 5's Must-show): SIGKILL during the download of a ~50 MB
 * release and during its import; after a restart the release is imported
 * exactly once, and a reader (the sqlite3 shell) watching the table while it
 * runs only ever sees the old or the new row count. Also: SIGTERM during an
 * import exits 0 and leaves no partial data; `--once` exit codes.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2eHub, type E2eHub } from './hub-fixture.js';

const run = promisify(execFile);
const DME = resolve(import.meta.dirname, '../../bin/dme.js');
let h: E2eHub;
const json = <T>(text: string): T => JSON.parse(text) as T;

/** A CSV of `rows` rows (~45 bytes each), written in slices so memory stays small. */
function writeCsv(path: string, rows: number, tag: string): void {
  writeFileSync(path, 'id,name,phone\n');
  const slice = 50_000;
  for (let start = 1; start <= rows; start += slice) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(rows + 1, start + slice); i++) lines.push(`${i},${tag}-name-${i},+1415${String(i % 10_000_000).padStart(7, '0')}`);
    appendFileSync(path, `${lines.join('\n')}\n`);
  }
}

/** Large releases skip profiling (record count 0 in the manifest) to keep the test quick; small ones are profiled. */
async function publish(path: string, profile = false): Promise<string> {
  return json<{ releaseId: string }>(await h.ok('producer', ['publish', 'big', path, '--json', '--quiet', ...(profile ? [] : ['--no-profile'])])).releaseId;
}

interface LogLine {
  level: string;
  msg: string;
  releaseId?: string;
  bytes?: number;
  total?: number;
  rows?: number;
  resumedFrom?: number;
}

interface SyncProcess {
  child: ChildProcess;
  logs: LogLine[];
  stdout: () => string;
  waitLog(pred: (l: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startSync(user: string, args: string[]): SyncProcess {
  const child = spawn(process.execPath, [DME, 'sync', ...args], {
    cwd: h.dir,
    env: { PATH: process.env.PATH, HOME: h.dir, DME_HOME: h.home(user), DME_KEYCHAIN: 'off', DME_HUB_URL: h.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  let out = '';
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const l of lines) {
      try {
        logs.push(JSON.parse(l) as LogLine);
      } catch {
        logs.push({ level: 'raw', msg: l });
      }
    }
    for (const w of waiters) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
  const waitLog = (pred: (l: LogLine) => boolean, what: string, timeoutMs = 60_000): Promise<LogLine> =>
    new Promise((ok, fail) => {
      const check = (): void => {
        const hit = logs.find(pred);
        if (hit) {
          cleanup();
          ok(hit);
        }
      };
      const timer = setTimeout(() => (cleanup(), fail(new Error(`timed out waiting for ${what}; last logs: ${JSON.stringify(logs.slice(-4))}`))), timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      void exited.then(() => setTimeout(() => (cleanup(), fail(new Error(`dme sync exited while waiting for ${what}: ${JSON.stringify(logs.slice(-4))}`))), 50));
      check();
    });
  return { child, logs, stdout: () => out, waitLog, exited };
}

const library = (user: string) => join(h.home(user), 'library.sqlite');

/**
 * Reads through the sqlite3 shell, as another program would (read-only, async so the in-process hub keeps
 * serving), with a busy timeout as such a program should have: a restarted engine recovering the WAL a
 * killed import left holds a lock for a moment.
 */
async function sql(user: string, query: string): Promise<string> {
  const { stdout } = await run('sqlite3', ['-readonly', '-cmd', '.timeout 10000', library(user), query]);
  return stdout.trim();
}
const rowCount = async (user: string) => Number(await sql(user, 'SELECT count(*) FROM big'));
const releaseRows = async (user: string, releaseId: string) => Number(await sql(user, `SELECT count(*) FROM dme_releases WHERE release_id = '${releaseId}'`));

function blobOf(releaseId: string): string {
  const walk = (dir: string): string | undefined => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isFile() && name === releaseId) return p;
      if (st.isDirectory()) {
        const found = walk(p);
        if (found) return found;
      }
    }
    return undefined;
  };
  const found = walk(h.dataDir);
  if (!found) throw new Error(`no blob for ${releaseId}`);
  return found;
}

const FIRST_ROWS = 1_000;
const BIG_ROWS = 1_400_000;
const THIRD_ROWS = 1_300_000;
let big: string;

beforeAll(async () => {
  h = await startE2eHub();
  await h.user('producer', 'producer');
  await h.user('carol', 'consumer');
  writeCsv(join(h.dir, 'sample.csv'), 20, 'sample');
  await h.ok('producer', ['datasets', 'create', '--name', 'Big numbers', '--slug', 'big', '--schema-from', 'sample.csv', '--publish']);
  const sub = json<{ id: string }>(await h.ok('carol', ['subscribe', 'big', '--json'])).id;
  await h.ok('producer', ['approve', sub]);
}, 120_000);
afterAll(async () => h?.close());

describe('dme sync, killed and restarted', () => {
  it('--once catches up and exits 0', async () => {
    writeCsv(join(h.dir, 'first.csv'), FIRST_ROWS, 'r1');
    const r1 = await publish(join(h.dir, 'first.csv'), true);
    const r = await h.dme('carol', ['sync', '--once', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(json<{ imported: string[]; failed: unknown[] }>(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ imported: [r1], failed: [] });
    expect(await rowCount('carol')).toBe(FIRST_ROWS);
    // Logs are JSON lines with time, level and msg, and carry no secret.
    const lines = r.stderr.trim().split('\n').map((l) => json<Record<string, unknown>>(l));
    expect(lines.every((l) => typeof l.time === 'string' && typeof l.level === 'string' && typeof l.msg === 'string')).toBe(true);
    expect(r.stderr).not.toMatch(/AGE-SECRET-KEY|Bearer|sig=/);
  }, 120_000);

  it('SIGKILL during the download: the partial payload stays, nothing is imported; the restart resumes it', async () => {
    writeCsv(join(h.dir, 'big.csv'), BIG_ROWS, 'r2');
    big = await publish(join(h.dir, 'big.csv'));
    const total = statSync(blobOf(big)).size;
    expect(total).toBeGreaterThan(45_000_000);

    const s = startSync('carol', ['--limit-rate', '8M']);
    // Past a few MiB: the download writes in 1 MiB blocks, so the first bytes received may not be on disk yet.
    await s.waitLog((l) => l.msg === 'download progress' && l.releaseId === big && (l.bytes ?? 0) > 3 * 1024 * 1024 && (l.bytes ?? 0) < total, 'the download under way');
    s.child.kill('SIGKILL');
    expect((await s.exited).signal).toBe('SIGKILL');
    const partial = join(h.home('carol'), 'sync', 'downloads', `${big}.payload`);
    const have = statSync(partial).size;
    expect(have).toBeGreaterThan(0);
    expect(have).toBeLessThan(total);
    expect(await rowCount('carol')).toBe(FIRST_ROWS);
    expect(await releaseRows('carol', big)).toBe(0);

    // Restart and SIGKILL again as soon as rows are being inserted.
    const t = startSync('carol', []);
    const verified = await t.waitLog((l) => l.msg === 'payload verified' && l.releaseId === big, 'the resumed download');
    expect(verified.resumedFrom).toBeGreaterThanOrEqual(have);
    await t.waitLog((l) => l.msg === 'import progress' && l.releaseId === big && (l.rows ?? 0) > 0, 'the import under way');
    t.child.kill('SIGKILL');
    await t.exited;
    expect(await rowCount('carol')).toBe(FIRST_ROWS);
    expect(await releaseRows('carol', big)).toBe(0);
  }, 240_000);

  it('after the kills, a restart imports the release exactly once and a reader only ever sees the old or the new table', async () => {
    const s = startSync('carol', []);
    const seen = new Set<number>();
    let done = false;
    const imported = s.waitLog((l) => l.msg === 'imported' && l.releaseId === big, 'the import', 120_000).finally(() => (done = true));
    let peakRssMiB = 0;
    for (let i = 0; i < 2_000 && !done; i++) {
      seen.add(await rowCount('carol'));
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${s.child.pid}/status`, 'utf8'));
      if (rss) peakRssMiB = Math.max(peakRssMiB, Number(rss[1]) / 1024);
      await new Promise((r) => setTimeout(r, 25));
    }
    await imported;
    seen.add(await rowCount('carol'));
    s.child.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
    expect([...seen].every((n) => n === FIRST_ROWS || n === BIG_ROWS)).toBe(true);
    expect(seen.has(BIG_ROWS)).toBe(true);
    expect(await rowCount('carol')).toBe(BIG_ROWS);
    expect(await releaseRows('carol', big)).toBe(1);
    expect(Number(await sql('carol', 'SELECT count(*) FROM dme_releases'))).toBe(2);
    expect(existsSync(join(h.home('carol'), 'sync', 'downloads', `${big}.payload`))).toBe(false);
    expect(s.stdout()).toContain(`(${big})`);
    // Streaming: a 50 MB release does not cost 50 MB-proportional memory (a retained-batch leak measured 340 MB here).
    expect(peakRssMiB).toBeGreaterThan(0);
    expect(peakRssMiB).toBeLessThan(250);
  }, 240_000);

  it('SIGTERM during an import exits 0 and leaves no partial data; the next run imports it', async () => {
    writeCsv(join(h.dir, 'third.csv'), THIRD_ROWS, 'r3');
    const r3 = await publish(join(h.dir, 'third.csv'));
    const s = startSync('carol', []);
    await s.waitLog((l) => l.msg === 'import progress' && l.releaseId === r3 && (l.rows ?? 0) > 0, 'the import under way');
    s.child.kill('SIGTERM');
    const exit = await s.exited;
    expect(exit.code).toBe(0);
    expect(s.logs.some((l) => l.msg === 'stopped')).toBe(true);
    expect(await rowCount('carol')).toBe(BIG_ROWS);
    expect(await releaseRows('carol', r3)).toBe(0);

    const again = await h.dme('carol', ['sync', '--once']);
    expect(again.status).toBe(0);
    expect(await rowCount('carol')).toBe(THIRD_ROWS);
    expect(await releaseRows('carol', r3)).toBe(1);
  }, 240_000);

  it('--once exits 1 when a release fails verification, and 0 once it verifies', async () => {
    writeCsv(join(h.dir, 'fourth.csv'), 500, 'r4');
    const r4 = await publish(join(h.dir, 'fourth.csv'), true);
    const blob = blobOf(r4);
    const good = readFileSync(blob);
    const bad = Buffer.from(good);
    bad[100]! ^= 0xff;
    writeFileSync(blob, bad);
    const failed = await h.dme('carol', ['sync', '--once', '--json']);
    expect(failed.status).toBe(1);
    const summary = json<{ failed: { releaseId: string; code: string }[] }>(failed.stdout.trim().split('\n').at(-1)!);
    expect(summary.failed).toEqual([expect.objectContaining({ releaseId: r4, code: 'VERIFY_FAILED' })]);
    expect(await rowCount('carol')).toBe(THIRD_ROWS);

    writeFileSync(blob, good);
    const ok = await h.dme('carol', ['sync', '--once']);
    expect(ok.status).toBe(0);
    expect(await rowCount('carol')).toBe(500);
    expect(await releaseRows('carol', r4)).toBe(1);
  }, 120_000);

  it('bad usage exits 2 with a one-line message', async () => {
    const r = await h.dme('carol', ['sync', '--limit-rate', 'fast']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^dme sync: --limit-rate must be/);
  }, 30_000);
});
