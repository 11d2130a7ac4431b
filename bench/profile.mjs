/**
 * Profiling benchmark: one streaming profile pass over a generated phone
 * inventory CSV (default 5,000,000 rows), through the built @dme/core, with
 * the sqlite3 shell's `.import` of the same file timed as the peer.
 *
 *   npm run bench:profile            # 5M rows
 *   node bench/profile.mjs 1000000   # another size
 *
 * The CSV is generated once per row count under /tmp/dme-bench and reused.
 * Generation runs in a child process so the peak RSS printed here is the
 * profiler's own. Target: ≥ 1,000,000 rows/s.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rows = Number(process.argv[2] ?? 5_000_000);
if (!Number.isSafeInteger(rows) || rows < 1) {
  console.error('usage: node bench/profile.mjs [ROWS]');
  process.exit(2);
}
const TARGET = 1_000_000;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
  return r;
}

const dist = join(root, 'packages/core/dist/profile/index.js');
if (!existsSync(dist)) {
  console.log('building @dme/core (dist missing)…');
  run('npm', ['run', 'build'], { cwd: root });
}

const dir = '/tmp/dme-bench';
mkdirSync(dir, { recursive: true });
const csv = join(dir, `phones-${rows}.csv`);
if (!existsSync(csv)) {
  console.log(`generating ${rows.toLocaleString('en-US')} rows → ${csv}`);
  const tmp = `${csv}.partial`;
  run(process.execPath, [join(root, 'bench/gen-phones.mjs'), tmp, String(rows)]);
  renameSync(tmp, csv); // only a complete file is ever cached
}
const size = statSync(csv).size;

const { profileFile, renderProfile } = await import(pathToFileURL(dist).href);
const t0 = performance.now();
const c0 = process.cpuUsage();
const profile = await profileFile(csv, { keyColumns: ['e164'] });
const secs = (performance.now() - t0) / 1000;
const cu = process.cpuUsage(c0);
// All threads (GC helpers included): the rate one free core would give, whatever else the machine is running.
const cpuSecs = (cu.user + cu.system) / 1e6;
const rss = process.resourceUsage().maxRSS / 1024;
if (profile.recordCount !== rows) throw new Error(`profiled ${profile.recordCount} records, expected ${rows}`);

console.log('\n' + renderProfile(profile));
const rate = rows / secs;
console.log(`profile : ${rows.toLocaleString('en-US')} rows, ${(size / 1e6).toFixed(1)} MB in ${secs.toFixed(2)} s`);
console.log(`          ${Math.round(rate).toLocaleString('en-US')} rows/s, ${(size / 1e6 / secs).toFixed(1)} MB/s, peak RSS ${rss.toFixed(0)} MB`);
console.log(`          CPU ${cpuSecs.toFixed(2)} s → ${Math.round(rows / cpuSecs).toLocaleString('en-US')} rows per CPU-second`);
console.log(`          target ≥ ${TARGET.toLocaleString('en-US')} rows/s (wall): ${rate >= TARGET ? 'met' : 'NOT met'}`);

// Peer: the sqlite3 shell importing the same CSV into a scratch database
// file, under bash's `time` so its CPU seconds are known too.
const db = join(dir, `import-${process.pid}.db`);
try {
  const script = 'TIMEFORMAT="%R %U %S"; time sqlite3 "$0" -cmd ".mode csv" ".import $1 t" >/dev/null';
  const r = spawnSync('bash', ['-c', script, db, csv], { encoding: 'utf8' });
  const times = r.stderr.trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
  if (r.error || r.status !== 0 || times.length !== 3 || times.some(Number.isNaN)) {
    console.log(`sqlite3 : .import failed (${r.error?.message ?? r.stderr.trim()})`);
  } else {
    const [real, user, sys] = times;
    console.log(`sqlite3 : .import of the same file in ${real.toFixed(2)} s, ${Math.round(rows / real).toLocaleString('en-US')} rows/s (peer)`);
    console.log(`          CPU ${(user + sys).toFixed(2)} s → ${Math.round(rows / (user + sys)).toLocaleString('en-US')} rows per CPU-second`);
    console.log(`          profile vs sqlite3 .import: ${(real / secs).toFixed(2)}× (wall), ${((user + sys) / cpuSecs).toFixed(2)}× (CPU)`);
  }
} finally {
  rmSync(db, { force: true });
}
