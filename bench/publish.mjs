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
// The file is random bytes, so dme publishes with --no-profile (profiling has
// its own benchmark, bench:profile). The hub (built dist) runs as its own
// process; temp files and the hub's data live under a fresh $TMPDIR directory,
// removed at the end, also on failure.
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

function timed(fn) {
  const t0 = process.hrtime.bigint();
  const result = fn();
  return { result, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

const mbps = (s) => bytes / 1e6 / s;

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

  // Raw baseline: a signed upload URL from the API, then curl -T straight to it.
  const start = await fetch(`${hub.url}/v1/producer/datasets/${dataset.id}/releases`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ payloadSize: bytes }),
  });
  if (start.status !== 201) throw new Error(`start release: ${start.status} ${await start.text()}`);
  const { target } = await start.json();
  if (target.kind !== 'single') throw new Error(`expected a local single-URL target, got ${target.kind}`);
  const curl = timed(() => spawnSync('curl', ['-sS', '-f', '-o', '/dev/null', '-T', file, target.url], { encoding: 'utf8' }));
  if (curl.result.status !== 0) throw new Error(`curl -T failed: ${curl.result.stderr}`);

  const pub = timed(() => JSON.parse(dme(['publish', 'bench', file, '--no-profile', '--quiet', '--json'])));
  if (pub.result.payloadSize < bytes || pub.result.plaintextSize !== bytes) throw new Error('publish reported wrong sizes');

  const ratio = mbps(pub.seconds) / mbps(curl.seconds);
  console.log(`curl -T (raw upload):           ${curl.seconds.toFixed(2)} s  ${mbps(curl.seconds).toFixed(1)} MB/s`);
  console.log(`dme publish (encrypt+upload):   ${pub.seconds.toFixed(2)} s  ${mbps(pub.seconds).toFixed(1)} MB/s  (release ${pub.result.releaseId})`);
  console.log(`ratio dme/curl: ${ratio.toFixed(2)}x  (target >= 0.5x: ${ratio >= 0.5 ? 'met' : 'NOT met'})`);
} finally {
  if (hub) {
    hub.child.kill('SIGTERM');
    await once(hub.child, 'exit').catch(() => undefined);
  }
  rmSync(dir, { recursive: true, force: true });
}
