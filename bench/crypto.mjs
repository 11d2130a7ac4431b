#!/usr/bin/env node
// Benchmark: DME age encryption against the reference `age` CLI on one large
// random file. Reports MB/s, dme/age ratios and the peak RSS of each process
// (GNU time %M), and checks that every decrypted output equals the input.
//
//   npm run bench:crypto                 # 1 GiB
//   DME_BENCH_SIZE_MB=256 npm run bench:crypto
//   DME_BENCH_ROUNDS=3 npm run bench:crypto   # best of 3 alternating rounds (default 2)
//
// Temp files live in a fresh directory under $TMPDIR (default /tmp) and are
// deleted at the end, also on failure.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const sizeMb = Number(process.env.DME_BENCH_SIZE_MB ?? 1024);
const bytes = sizeMb * 1024 * 1024;
const TIME = '/usr/bin/time';
const AGE = process.env.AGE_BIN ?? '/usr/bin/age';
const KEYGEN = process.env.AGE_KEYGEN_BIN ?? '/usr/bin/age-keygen';

function must(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

for (const bin of [AGE, KEYGEN]) if (!existsSync(bin)) throw new Error(`${bin} is missing (apt-get install age)`);
if (!existsSync(TIME)) throw new Error(`${TIME} is missing (apt-get install -y time)`);
if (!Number.isFinite(sizeMb) || sizeMb <= 0) throw new Error('DME_BENCH_SIZE_MB must be a positive number');

const cliMain = join(root, 'packages/core/dist/cli/main.js');
const libIndex = join(root, 'packages/core/dist/crypto/age/index.js');
if (!existsSync(libIndex) || !existsSync(cliMain)) {
  console.log('dist is missing: running npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0 && !existsSync(libIndex)) throw new Error('npm run build failed');
}
const useCli = existsSync(cliMain);

// The library alone through dist, in a child process: the fallback when the dme
// CLI is not built, and a second row that separates the library from CLI costs
// (start-up imports, fsync of the output).
const LIB_SCRIPT = `
const [mode, key, out, file] = process.argv.slice(1);
const fs = await import('node:fs');
const age = await import(${JSON.stringify(libIndex)});
const input = await age.openFileSource(file);
const output = fs.createWriteStream(out);
if (mode === 'encrypt') await age.encrypt(input, output, [key]);
else await age.decrypt(input, output, age.parseIdentityFile(fs.readFileSync(key, 'utf8')));
await new Promise((resolve, reject) => output.end((e) => (e ? reject(e) : resolve())));
`;

function libArgs(mode, key, out, file) {
  return ['--input-type=module', '-e', LIB_SCRIPT, mode, key, out, file];
}

function dmeArgs(mode, key, out, file) {
  if (useCli) return [join(root, 'packages/core/bin/dme.js'), mode, mode === 'encrypt' ? '-r' : '-i', key, '-o', out, file];
  return libArgs(mode, key, out, file);
}

/**
 * Runs a command under GNU time; returns wall seconds (measured here), CPU
 * seconds (user + system, all threads) and peak RSS in MB. CPU time is the
 * steadier figure on a shared machine.
 */
function timed(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(TIME, ['-f', '%M %U %S', cmd, ...args], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr}`);
  const [rssKb, user, sys] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { seconds, cpu: user + sys, rssMb: rssKb / 1024 };
}

async function sha256File(path) {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk);
  return h.digest('hex');
}

const dir = mkdtempSync(join(tmpdir(), 'dme-bench-'));
const p = (name) => join(dir, name);
try {
  console.log(`bench: ${sizeMb} MiB random file in ${dir}; dme via ${useCli ? 'the dme CLI' : 'dist library (dme CLI not built)'}`);
  must('sh', ['-c', `head -c ${bytes} /dev/urandom > "${p('plain.bin')}"`]);
  const inputSha = await sha256File(p('plain.bin'));
  must(KEYGEN, ['-o', p('key.txt')]);
  const recipient = must(KEYGEN, ['-y', p('key.txt')]).trim();
  // Warm the page cache for the input so the first contender is not penalised.
  await sha256File(p('plain.bin'));

  // Each step writes a new output, and on this kind of machine (a VM) the
  // first write into guest memory the kernel has not used before costs far
  // more than a write into pages freed a moment ago: measured here, age
  // encrypt took 2.60 CPU-s for 1 GiB as the first step and ~1.2 later.
  // So every step starts with its output removed (the pages of the previous
  // step's output are free for it), the steps alternate in rounds whose
  // order flips each time (age first, then dme first), and the best wall
  // time of each step is kept. DME_BENCH_ROUNDS (default 2) sets the rounds.
  const rounds = Math.max(1, Number(process.env.DME_BENCH_ROUNDS ?? 2));
  const checks = [];
  const best = new Map();
  const run = (name, cmd, args, out, keep = false) => {
    rmSync(out, { force: true });
    const r = timed(cmd, args);
    if (!keep) rmSync(out, { force: true });
    const prev = best.get(name);
    // Best wall time, and its CPU; the peak RSS is the highest of any round.
    const row = !prev || r.seconds < prev.seconds ? { name, ...r, mbps: bytes / 1e6 / r.seconds } : prev;
    row.rssMb = Math.max(r.rssMb, prev?.rssMb ?? 0);
    best.set(name, row);
  };
  const steps = {
    age: [
      () => run('age encrypt', AGE, ['-r', recipient, '-o', p('t.age'), p('plain.bin')], p('t.age')),
      () => run('age decrypt', AGE, ['-d', '-i', p('key.txt'), '-o', p('t.bin'), p('out.age')], p('t.bin')),
    ],
    dme: [
      () => run('dme encrypt', process.execPath, dmeArgs('encrypt', recipient, p('t.age'), p('plain.bin')), p('t.age')),
      () => run('dme decrypt', process.execPath, dmeArgs('decrypt', p('key.txt'), p('t.bin'), p('out.dme')), p('t.bin')),
    ],
  };
  // The ciphertexts every decrypt step reads, made once (not timed).
  must(AGE, ['-r', recipient, '-o', p('out.age'), p('plain.bin')]);
  must(process.execPath, dmeArgs('encrypt', recipient, p('out.dme'), p('plain.bin')));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['age', 'dme'] : ['dme', 'age'];
    for (let i = 0; i < 2; i++) for (const who of order) steps[who][i]();
  }
  if (useCli) {
    run('lib encrypt', process.execPath, libArgs('encrypt', recipient, p('t.age'), p('plain.bin')), p('t.age'));
    run('lib decrypt', process.execPath, libArgs('decrypt', p('key.txt'), p('dec.lib.bin'), p('out.dme')), p('dec.lib.bin'), true);
    checks.push(['lib decrypt output', await sha256File(p('dec.lib.bin'))]);
    rmSync(p('dec.lib.bin'), { force: true });
  }
  const rows = ['age encrypt', 'age decrypt', 'dme encrypt', 'dme decrypt', 'lib encrypt', 'lib decrypt'].map((n) => best.get(n)).filter(Boolean);

  // Cross-checks: every ciphertext decrypts to the input with both tools.
  must(process.execPath, dmeArgs('decrypt', p('key.txt'), p('dec.dme.bin'), p('out.dme')));
  checks.push(['dme decrypt output', await sha256File(p('dec.dme.bin'))]);
  rmSync(p('dec.dme.bin'), { force: true });
  must(AGE, ['-d', '-i', p('key.txt'), '-o', p('x.bin'), p('out.dme')]);
  checks.push(['age -d of dme file', await sha256File(p('x.bin'))]);
  rmSync(p('x.bin'), { force: true });
  must(process.execPath, dmeArgs('decrypt', p('key.txt'), p('x.bin'), p('out.age')));
  checks.push(['dme decrypt of age file', await sha256File(p('x.bin'))]);
  rmSync(p('x.bin'), { force: true });

  console.log('');
  console.log('step            seconds     MB/s   CPU s   peak RSS MB');
  for (const r of rows) {
    const cols = [r.seconds.toFixed(2).padStart(8), r.mbps.toFixed(0).padStart(8), r.cpu.toFixed(2).padStart(7), r.rssMb.toFixed(1).padStart(13)];
    console.log(`${r.name.padEnd(14)} ${cols.join(' ')}`);
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`(load average now: ${load}; other processes on this machine skew wall-clock figures)`);
  const by = Object.fromEntries(rows.map((r) => [r.name, r]));
  console.log('');
  console.log(`ratio dme/age encrypt: ${(by['dme encrypt'].mbps / by['age encrypt'].mbps).toFixed(2)}x  (target >= 1.0)`);
  console.log(`ratio dme/age decrypt: ${(by['dme decrypt'].mbps / by['age decrypt'].mbps).toFixed(2)}x  (target >= 1.5)`);
  if (by['lib encrypt']) {
    console.log(`ratio lib/age encrypt: ${(by['lib encrypt'].mbps / by['age encrypt'].mbps).toFixed(2)}x, decrypt: ${(by['lib decrypt'].mbps / by['age decrypt'].mbps).toFixed(2)}x`);
  }
  console.log(`peak RSS dme: ${Math.max(by['dme encrypt'].rssMb, by['dme decrypt'].rssMb).toFixed(1)} MB  (target < 150)`);
  let ok = true;
  for (const [what, sha] of checks) {
    const same = sha === inputSha;
    ok &&= same;
    console.log(`${same ? 'ok  ' : 'FAIL'} ${what} sha256 ${same ? 'matches' : 'differs from'} the input`);
  }
  if (!ok) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
