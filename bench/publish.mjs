#!/usr/bin/env node
// Benchmark: `dme publish` of one large random file to a local hub against a
// raw `curl -T` of the same file to the same hub, in the same run. The curl
// upload goes to a signed local-blob upload URL obtained from the API (a
// release started and then left uploading), so both land in the same blob
// store through the same HTTP route; dme additionally encrypts, hashes, signs
// and completes. Prints MB/s of each and the ratio (target >= 0.5x).
//
//   npm run bench:publish                 # 1 GiB
//   DME_BENCH_SIZE_MB=256 npm run bench:publish
//
// The file is random bytes, so dme publish runs with --no-profile (profiling
// has its own benchmark, bench:profile). The hub (built dist) runs as its own
// process; temp files and the hub's data live under a fresh $TMPDIR directory,
// removed at the end, also on failure.
//
// Rounds (DME_BENCH_ROUNDS, default 2) alternate the two uploads, curl first
// then dme first, and the best of each is kept: on this kind of machine (a
// VM) a write into guest memory the kernel has not used before costs far more
// than one into pages freed a moment ago, so whoever runs first pays extra.
// Each upload's blob file is deleted after it (curl's release is left
// uploading, dme's published) so the next upload starts from the same free
// memory, and the next upload waits until the disk and the hub are idle
// again (`sync`, then the hub's CPU flat): the hub answers a whole-body PUT
// before its background write-back of the file, so curl's write-back used to
// overlap the dme run after it. dme's time includes that write-back for its
// own payload (completing a release waits until the file is on disk); curl's
// does not, as a raw upload. Each line also gives the CPU
// seconds of the uploader (GNU time) and of the hub process (/proc) for it.
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startHubProcess } from './hub-process.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const sizeMb = Number(process.env.DME_BENCH_SIZE_MB ?? 1024);
if (!Number.isFinite(sizeMb) || sizeMb <= 0) throw new Error('DME_BENCH_SIZE_MB must be a positive number');
const bytes = Math.round(sizeMb * 1024 * 1024);
const DME = join(root, 'packages/core/bin/dme.js');
const PASSWORD = 'bench-password-0123';

if (!existsSync(join(root, 'packages/core/dist/cli/main.js')) || !existsSync(join(root, 'apps/hub/dist/node/cli.js'))) {
  console.log('dist is missing: running npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}
if (spawnSync('curl', ['--version']).status !== 0) throw new Error('curl is missing (apt-get install -y curl)');

const dir = mkdtempSync(join(tmpdir(), 'dme-bench-publish-'));
let hub;


function dme(args, input) {
  const r = spawnSync(process.execPath, [DME, ...args], {
    env: { PATH: process.env.PATH, HOME: dir, DME_HOME: join(dir, 'home'), DME_KEYCHAIN: 'off', DME_HUB_URL: hub.url, TMPDIR: dir },
    input: input ?? '',
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`dme ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

async function writeRandomFile(path, size) {
  const out = createWriteStream(path);
  const chunk = Buffer.alloc(8 * 1024 * 1024);
  for (let left = size; left > 0; ) {
    const n = Math.min(left, chunk.length);
    randomFillSync(chunk, 0, n);
    if (!out.write(n === chunk.length ? Buffer.from(chunk) : chunk.subarray(0, n))) await once(out, 'drain');
    left -= n;
  }
  out.end();
  await once(out, 'finish');
}

const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);
/** CPU seconds (user + system) a live process has used so far. */
function cpuOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** Runs `cmd args` under GNU time: wall seconds, its CPU seconds, the hub's CPU seconds meanwhile. */
function timed(cmd, args, opts = {}) {
  const hub0 = cpuOf(hub.child.pid);
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 20, ...opts });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const hubCpu = cpuOf(hub.child.pid) - hub0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const [user, sys] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { stdout: r.stdout, seconds, cpu: user + sys, hubCpu };
}

const mbps = (s) => bytes / 1e6 / s;

/**
 * Waits until the previous upload has stopped working the machine: the
 * hub writes each upload's file to disk in the background once it has
 * answered (curl's 1 GiB was still being written back when the next
 * upload started), and freeing a deleted payload costs the disk too.
 * `sync` waits for both; then the hub's CPU must stay flat for 250 ms.
 */
async function settle() {
  spawnSync('sync');
  for (let tries = 0; tries < 40; tries++) {
    const before = cpuOf(hub.child.pid);
    await new Promise((r) => setTimeout(r, 250));
    if (cpuOf(hub.child.pid) - before < 0.02) return;
  }
}

try {
  hub = await startHubProcess(join(dir, 'hub-data'));
  const file = join(dir, 'random.bin');
  console.log(`bench:publish — ${sizeMb} MiB random file, hub ${hub.url} (data under ${dir})`);
  await writeRandomFile(file, bytes);

  dme(['signup', '--email', 'bench@example.test', '--password-stdin'], `${PASSWORD}\n`);
  dme(['enable', 'producer']);
  const dataset = JSON.parse(dme(['datasets', 'create', '--name', 'Bench', '--slug', 'bench', '--format', 'csv', '--publish', '--json']));
  const sessions = JSON.parse(readFileSync(join(dir, 'home', 'session.json'), 'utf8'));
  const token = sessions[hub.url].accessToken;

  const rounds = Math.max(1, Number(process.env.DME_BENCH_ROUNDS ?? 2));
  const blobsDir = join(dir, 'hub-data', 'blobs');
  /** Removes every stored payload file (the hub keeps them under its data dir). */
  const dropBlobs = () => rmSync(blobsDir, { recursive: true, force: true });

  // Raw baseline: a signed upload URL from the API, then curl -T straight to it.
  const curlOnce = async () => {
    const start = await fetch(`${hub.url}/v1/producer/datasets/${dataset.id}/releases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ payloadSize: bytes }),
    });
    if (start.status !== 201) throw new Error(`start release: ${start.status} ${await start.text()}`);
    const { target } = await start.json();
    if (target.kind !== 'single') throw new Error(`expected a local single-URL target, got ${target.kind}`);
    return timed('curl', ['-sS', '-f', '-o', '/dev/null', '-T', file, target.url]);
  };
  const dmeOnce = () => {
    const r = timed(process.execPath, [DME, 'publish', 'bench', file, '--no-profile', '--quiet', '--json'], {
      env: { PATH: process.env.PATH, HOME: dir, DME_HOME: join(dir, 'home'), DME_KEYCHAIN: 'off', DME_HUB_URL: hub.url, TMPDIR: dir },
    });
    const result = JSON.parse(r.stdout);
    if (result.payloadSize < bytes || result.plaintextSize !== bytes) throw new Error('publish reported wrong sizes');
    return { ...r, releaseId: result.releaseId };
  };
  const best = {};
  const keep = (name, r) => {
    if (!best[name] || r.seconds < best[name].seconds) best[name] = r;
  };
  for (let round = 0; round < rounds; round++) {
    for (const who of round % 2 === 0 ? ['curl', 'dme'] : ['dme', 'curl']) {
      dropBlobs();
      await settle();
      keep(who, who === 'curl' ? await curlOnce() : dmeOnce());
    }
  }
  dropBlobs();

  const line = (r) => `${r.seconds.toFixed(2)} s  ${mbps(r.seconds).toFixed(1)} MB/s  CPU ${r.cpu.toFixed(2)} s, hub CPU ${r.hubCpu.toFixed(2)} s`;
  const ratio = mbps(best.dme.seconds) / mbps(best.curl.seconds);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`best of ${rounds} alternating round(s) each; load average now ${load}`);
  console.log(`curl -T (raw upload):           ${line(best.curl)}`);
  console.log(`dme publish (encrypt+upload):   ${line(best.dme)}  (release ${best.dme.releaseId})`);
  console.log(`ratio dme/curl: ${ratio.toFixed(2)}x  (target >= 0.5x: ${ratio >= 0.5 ? 'met' : 'NOT met'})`);
} finally {
  if (hub) {
    hub.child.kill('SIGTERM');
    await once(hub.child, 'exit').catch(() => undefined);
  }
  rmSync(dir, { recursive: true, force: true });
}
