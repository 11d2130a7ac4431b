#!/usr/bin/env node
// Benchmark: authenticated GET /v1/consumer/download/{releaseId} on the hub
// against a Hono hello-world route, same machine, same run, same load tool.
// Both servers are separate Node processes on 127.0.0.1 served by
// @hono/node-server; the hub is the built dist assembled as `dme-hub serve`
// does (SQLite WAL + local blobs). Setup goes through the real `dme` CLI: a
// producer publishes a release, a consumer subscribes and is approved. The
// download answer is the consumer's grant, the signed manifest and a fresh
// signed URL, and each call records a usage row (a SQLite write).
//
// Rate limiting's cost (issue 6: < 10% of throughput): the hub process
// serves the same app twice on one store, on two ports: limits off, and the
// full limiter (token buckets per account, monthly call and bandwidth
// counters, RateLimit headers) under a policy too generous to be hit, so
// every request runs the whole check and none is refused. Off and on runs
// alternate (DME_BENCH_ROUNDS, default 2), which goes first alternating too,
// and the best of each is kept, so background load hits both alike. On a
// shared machine req/s swings by tens of percent between identical runs, so
// the hub process's CPU time per request (Linux /proc) is measured as well:
// per round, then over DME_BENCH_CPU_SLICES (default 20) pairs of 1 s runs,
// off and on back to back in turns, whose median difference is the
// limiter's cost: much steadier than req/s on a loaded machine.
//
//   npm run bench:hub
//   DME_BENCH_SECONDS=20 DME_BENCH_CONNECTIONS=10 npm run bench:hub
//
// Hello-world runs in every round too, first then last in turns, and the
// ratio is best against best: one hello-world run, as before, swung the
// ratio from 19% to 38% with the hub's figure unchanged.
//
// Load: Debian `wrk` (apt-get install -y wrk), 1 thread, 10 connections
// (autocannon's default), pinned to the last CPU, 10 s per target after a
// 2 s warm-up. Targets:
// download >= 20% of hello-world req/s, download p99 < 25 ms, rate-limit
// overhead < 10%.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.env.DME_BENCH_SECONDS ?? 10);
const connections = Number(process.env.DME_BENCH_CONNECTIONS ?? 10);
const rounds = Math.max(1, Number(process.env.DME_BENCH_ROUNDS ?? 2));
const DME = join(root, 'packages/core/bin/dme.js');
const PASSWORD = 'bench-password-0123';

if (spawnSync('wrk', ['--version']).error) throw new Error('wrk is missing: apt-get install -y wrk');
if (!existsSync(join(root, 'packages/core/dist/cli/main.js')) || !existsSync(join(root, 'apps/hub/dist/node/cli.js'))) {
  console.log('dist is missing: running npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

const dir = mkdtempSync(join(tmpdir(), 'dme-bench-hub-'));
const children = [];

/** Spawns a server process and resolves with the first line naming `urls` http URLs, as an array. */
async function server(args, env, urls = 1) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    const onData = (d) => {
      out += d.toString();
      const line = out.split('\n').find((l) => (l.match(/http:\/\/127\.0\.0\.1:\d+/g) ?? []).length >= urls);
      if (line) {
        clearTimeout(timer);
        resolve(line.match(/http:\/\/127\.0\.0\.1:\d+/g));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

// The hub as `dme-hub serve` builds it (dist: SQLite store, local blobs,
// secrets file), served twice: without limits (deps.limits.enabled = false),
// so the figure is the route's own cost and not the Starter tier's 10 req/s,
// and with the limiter under a huge policy (as bench/ratelimit.mjs). The
// first URL printed is the unlimited one; signed URLs name it in both.
const HUB_TWO_WAYS = `
import { serve } from '@hono/node-server';
const { buildHub, openStore } = await import(${JSON.stringify(new URL('../apps/hub/dist/node/hub.js', import.meta.url).href)});
const { settingsFromEnv } = await import(${JSON.stringify(new URL('../apps/hub/dist/node/settings.js', import.meta.url).href)});
const { createApp } = await import(${JSON.stringify(new URL('../apps/hub/dist/app.js', import.meta.url).href)});
const settings = settingsFromEnv(process.env);
const store = openStore(settings);
const huge = () => ({ requestsPerSecond: 1e9, burst: 1e9, monthlyApiCalls: 1e15, monthlyDownloadBytes: 1e15 });
let app;
let limited;
const s = serve({ fetch: (req, env) => (app ? app.fetch(req, env) : new Response('starting', { status: 503 })), hostname: '127.0.0.1', port: 0 }, (info) => {
  const url = 'http://127.0.0.1:' + info.port;
  const built = buildHub(settings, url, process.env, store);
  app = createApp({ ...built.deps, limits: { enabled: false } });
  limited = createApp({ ...built.deps, limits: { policy: huge } });
  const l = serve({ fetch: (req, env) => limited.fetch(req, env), hostname: '127.0.0.1', port: 0 }, (li) => {
    console.log('hub on ' + url + ' limited on http://127.0.0.1:' + li.port);
  });
  process.on('SIGTERM', () => l.close());
});
process.on('SIGTERM', () => s.close(() => store.close().then(() => process.exit(0))));
`;

const HELLO = `
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
const app = new Hono().get('/', (c) => c.text('Hello Hono!'));
const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => console.log('hello on http://127.0.0.1:' + info.port));
`;

function dmeAs(user, url) {
  return (args, input) => {
    const r = spawnSync(process.execPath, [DME, ...args], {
      env: { PATH: process.env.PATH, HOME: dir, DME_HOME: join(dir, user), DME_KEYCHAIN: 'off', DME_HUB_URL: url },
      input: input ?? '',
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`dme ${args.join(' ')} (${user}) exited ${r.status}: ${r.stderr}`);
    return r.stdout;
  };
}

/** CPU time (user + system, ms) used so far by process `pid`; NaN where /proc is missing. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks: USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

/**
 * wrk runs on the last CPU (taskset, where there are two or more): left to
 * the scheduler it sometimes shared a core with the server for a whole run,
 * and then every request cost the server about half as much CPU again
 * (hub: ~150 against ~100 us per request, in one run of four). The servers
 * are not pinned; both meet the same load generator.
 */
const pin = availableParallelism() >= 2 && spawnSync('taskset', ['--version']).status === 0 ? ['taskset', '-c', String(availableParallelism() - 1)] : [];

/** Runs wrk and returns req/s, p99 in ms (from --latency's distribution) and, with `pid`, that process's CPU µs per request. */
function wrk(url, headers, pid) {
  const common = ['-t1', `-c${connections}`, '--latency'];
  for (const [k, v] of Object.entries(headers)) common.push('-H', `${k}: ${v}`);
  const [cmd, ...pre] = [...pin, 'wrk'];
  spawnSync(cmd, [...pre, ...common, '-d2s', url], { encoding: 'utf8' }); // warm-up (JIT, caches)
  const cpu0 = pid ? cpuMs(pid) : NaN;
  const r = spawnSync(cmd, [...pre, ...common, `-d${seconds}s`, url], { encoding: 'utf8' });
  const cpu1 = pid ? cpuMs(pid) : NaN;
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(r.stdout)?.[1]);
  const p99m = /\s99%\s+([\d.]+)(us|ms|s)\b/.exec(r.stdout);
  const p99 = p99m ? Number(p99m[1]) * { us: 0.001, ms: 1, s: 1000 }[p99m[2]] : NaN;
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(r.stdout)?.[1] ?? 0);
  if (!Number.isFinite(rps) || !Number.isFinite(p99)) throw new Error(`cannot read wrk output:\n${r.stdout}`);
  return { rps, p99, non2xx, cpuUs: ((cpu1 - cpu0) * 1000) / requests };
}

/** The CPU µs per request of process `pid` over one 1 s wrk run (no warm-up: runs come in a series). */
function slice(url, headers, pid) {
  const args = ['-t1', `-c${connections}`, '-d1s'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  const cpu0 = cpuMs(pid);
  const r = spawnSync('wrk', [...args, url], { encoding: 'utf8' });
  const cpu1 = cpuMs(pid);
  const requests = Number(/(\d+) requests in/.exec(r.stdout)?.[1]);
  if (r.status !== 0 || !(requests > 0) || /Non-2xx/.test(r.stdout)) throw new Error(`wrk failed: ${r.stderr}${r.stdout}`);
  return ((cpu1 - cpu0) * 1000) / requests;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => (existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : 'n/a');

try {
  const [hubUrl, limitedUrl] = await server(['--input-type=module', '-e', HUB_TWO_WAYS], { DME_HUB_HOST: '127.0.0.1', DME_HUB_PORT: '0', DME_HUB_DATA: join(dir, 'hub-data'), DME_HUB_PASSWORD_ITERATIONS: '1000' }, 2);
  // Evaluated from the repository root, so hono and @hono/node-server resolve as the hub's do.
  const [helloUrl] = await server(['--input-type=module', '-e', HELLO], {});

  const producer = dmeAs('producer', hubUrl);
  const consumer = dmeAs('consumer', hubUrl);
  producer(['signup', '--email', 'producer@bench.test', '--password-stdin'], `${PASSWORD}\n`);
  producer(['enable', 'producer']);
  consumer(['signup', '--email', 'consumer@bench.test', '--password-stdin'], `${PASSWORD}\n`);
  consumer(['enable', 'consumer']);
  writeFileSync(join(dir, 'numbers.csv'), 'id,phone\n1,+14155550100\n2,+14155550101\n');
  producer(['datasets', 'create', '--name', 'Bench', '--slug', 'bench', '--format', 'csv', '--publish']);
  const release = JSON.parse(producer(['publish', 'bench', join(dir, 'numbers.csv'), '--quiet', '--json'])).releaseId;
  const sub = JSON.parse(consumer(['subscribe', 'bench', '--json'])).id;
  producer(['approve', sub]);
  const token = JSON.parse(readFileSync(join(dir, 'consumer', 'session.json'), 'utf8'))[hubUrl].accessToken;
  const downloadUrl = `${hubUrl}/v1/consumer/download/${release}`;
  const limitedDownloadUrl = `${limitedUrl}/v1/consumer/download/${release}`;
  const probe = await fetch(downloadUrl, { headers: { authorization: `Bearer ${token}` } });
  if (probe.status !== 200) throw new Error(`download probe answered ${probe.status}: ${await probe.text()}`);
  await probe.arrayBuffer();
  // The limited app must really run the limiter: its answers carry the RateLimit headers.
  const limitedProbe = await fetch(limitedDownloadUrl, { headers: { authorization: `Bearer ${token}` } });
  const rateLimit = limitedProbe.headers.get('RateLimit');
  if (limitedProbe.status !== 200 || !rateLimit) throw new Error(`limited download probe answered ${limitedProbe.status} (RateLimit: ${rateLimit}): ${await limitedProbe.text()}`);
  await limitedProbe.arrayBuffer();

  console.log(`bench:hub — wrk -t1 -c${connections} -d${seconds}s${pin.length ? ` on CPU ${pin[2]}` : ''}; hub ${hubUrl} (limits on: ${limitedUrl}), hello ${helloUrl}`);
  const auth = { Authorization: `Bearer ${token}` };
  const hubPid = children[0].pid;
  let hello = null;
  let download = null;
  let limitedRun = null;
  for (let r = 0; r < rounds; r++) {
    // Whoever runs later meets whatever load came meanwhile (and more usage rows): take turns,
    // hello-world included, so the ratio compares the best of as many runs on each side.
    const order = r % 2 === 0 ? ['hello', 'off', 'on'] : ['on', 'off', 'hello'];
    const got = {};
    for (const name of order) {
      got[name] = name === 'hello' ? wrk(`${helloUrl}/`, {}) : wrk(name === 'off' ? downloadUrl : limitedDownloadUrl, auth, hubPid);
    }
    const { hello: h, off, on } = got;
    for (const [name, x] of [['limits off', off], ['limits on', on]]) {
      if (x.non2xx > 0) throw new Error(`${x.non2xx} download requests failed (non-2xx), ${name}`);
    }
    console.log(`  round ${r + 1}: hello ${h.rps.toFixed(0)} req/s, off ${off.rps.toFixed(0)} req/s ${off.cpuUs.toFixed(1)} µs CPU/req, on ${on.rps.toFixed(0)} req/s ${on.cpuUs.toFixed(1)} µs CPU/req (load ${load()})`);
    if (!hello || h.rps > hello.rps) hello = h;
    if (!download || off.rps > download.rps) download = off;
    if (!limitedRun || on.rps > limitedRun.rps) limitedRun = on;
  }
  const ratio = download.rps / hello.rps;
  const overhead = (1 - limitedRun.rps / download.rps) * 100;
  console.log(`hello-world GET /:                   ${hello.rps.toFixed(0).padStart(7)} req/s  p99 ${hello.p99.toFixed(2)} ms`);
  console.log(`GET /v1/consumer/download/{id} (JWT): ${download.rps.toFixed(0).padStart(7)} req/s  p99 ${download.p99.toFixed(2)} ms`);
  console.log(`ratio download/hello: ${(ratio * 100).toFixed(1)}%  (target >= 20%: ${ratio >= 0.2 ? 'met' : 'NOT met'}); p99 target < 25 ms: ${download.p99 < 25 ? 'met' : 'NOT met'}`);
  console.log(`rate limiting, same route, best of ${rounds} alternating run(s) each:`);
  console.log(`  limits off:                         ${download.rps.toFixed(0).padStart(7)} req/s  p99 ${download.p99.toFixed(2)} ms`);
  console.log(`  limits on:                          ${limitedRun.rps.toFixed(0).padStart(7)} req/s  p99 ${limitedRun.p99.toFixed(2)} ms  (RateLimit: ${rateLimit})`);
  console.log(`  overhead: ${overhead.toFixed(1)}%  (target < 10%: ${overhead < 10 ? 'met' : 'NOT met'})`);
  const slices = Number(process.env.DME_BENCH_CPU_SLICES ?? 20);
  if (slices > 0 && Number.isFinite(cpuMs(hubPid))) {
    const off = [];
    const on = [];
    const diff = [];
    for (let i = 0; i < slices; i++) {
      const pair = {};
      for (const side of i % 2 ? ['on', 'off'] : ['off', 'on']) pair[side] = slice(side === 'on' ? limitedDownloadUrl : downloadUrl, auth, hubPid);
      off.push(pair.off);
      on.push(pair.on);
      diff.push(pair.on - pair.off);
    }
    // CPU-bound, req/s is 1 / CPU per request: the limiter's share of the CPU is the throughput it costs.
    const cost = (median(diff) / median(on)) * 100;
    console.log(`  hub CPU per request, ${slices} pairs of 1 s runs (medians): off ${median(off).toFixed(1)} µs, on ${median(on).toFixed(1)} µs, limiter +${median(diff).toFixed(1)} µs = ${cost.toFixed(1)}%  (target < 10%: ${cost < 10 ? 'met' : 'NOT met'})`);
  }
  console.log(`  load average: ${load()}`);
} finally {
  for (const c of children) {
    if (c.exitCode === null) {
      c.kill('SIGTERM');
      await once(c, 'exit').catch(() => undefined);
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
