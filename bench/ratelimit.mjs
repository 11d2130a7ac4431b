// bench/ratelimit.mjs (npm run bench:ratelimit): what tier rate limiting and
// quota counting cost per request. One process, one SQLite store, two apps
// built by createApp from the compiled hub (run `npm run build` first): one
// with limits off (deps.limits.enabled = false), one with the full limiter
// (token buckets per account and API key, monthly call counter, RateLimit
// headers) under a policy too generous to be hit, so every request runs the
// whole check and none is refused. Both serve the same authenticated route
// (GET /v1/account/profile with an API key) through app.fetch, the same
// number of requests in flight; runs alternate off/on and the best of each
// is kept, so background load hits both alike. Prints req/s and overhead.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = new URL('../apps/hub/dist/', import.meta.url);
const { createApp } = await import(new URL('app.js', dist).href);
const { openSqliteStore } = await import(new URL('store/sqlite/index.js', dist).href);
const { createIdSource } = await import(new URL('ids.js', dist).href);
const { systemClock } = await import(new URL('deps.js', dist).href);
const { unconfiguredBlobStore } = await import(new URL('unconfigured-blobs.js', dist).href);

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const dir = mkdtempSync(join(tmpdir(), 'dme-bench-ratelimit-'));
const store = openSqliteStore(join(dir, 'hub.db'));
const deps = {
  store,
  blobs: unconfiguredBlobStore,
  clock: systemClock,
  ids: createIdSource(systemClock),
  config: {
    jwtSecret: 'bench-jwt-secret-0123456789abcdef0123456789abcdef',
    urlSigningSecret: 'bench-url-secret-0123456789abcdef0123456789abcdef',
    publicUrl: 'http://127.0.0.1:8787',
    passwordIterations: 1000,
    maxJsonBodyBytes: 1024 * 1024,
    accessTokenTtlSec: 900,
    refreshTokenTtlSec: 86400,
    devMode: false,
  },
};
const huge = () => ({ requestsPerSecond: 1e9, burst: 1e9, monthlyApiCalls: 1e15, monthlyDownloadBytes: null });
const off = createApp({ ...deps, limits: { enabled: false } });
const on = createApp({ ...deps, limits: { policy: huge } });

async function json(app, method, path, body, token) {
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const res = await app.fetch(new Request(`http://hub${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined }));
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const session = await json(off, 'POST', '/v1/auth/signup', { email: 'bench@example.com', password: 'correct horse battery', displayName: 'Bench' });
const { key } = await json(off, 'POST', '/v1/auth/api-keys', { name: 'bench', scopes: ['consumer'] }, session.accessToken);
const headers = { authorization: `Bearer ${key}` };

/** Requests per second for SECONDS with IN_FLIGHT concurrent callers. */
async function run(app) {
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const res = await app.fetch(new Request('http://hub/v1/account/profile', { headers }));
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      await res.arrayBuffer();
      n++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return n / ((performance.now() - t0) / 1000);
}

try {
  // Warm-up: JIT, prepared statements, the counter's first load.
  await run(off);
  await run(on);
  const best = { off: 0, on: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    best.off = Math.max(best.off, await run(off));
    best.on = Math.max(best.on, await run(on));
  }
  const check = await on.fetch(new Request('http://hub/v1/account/profile', { headers }));
  const overhead = (1 - best.on / best.off) * 100;
  console.log(`route: GET /v1/account/profile (API key), ${IN_FLIGHT} in flight, ${ROUNDS} × ${SECONDS} s per side, best run`);
  console.log(`limits off: ${best.off.toFixed(0)} req/s`);
  console.log(`limits on:  ${best.on.toFixed(0)} req/s   (RateLimit: ${check.headers.get('RateLimit')})`);
  console.log(`overhead:   ${overhead.toFixed(1)} % (target < 10 %)`);
  process.exitCode = overhead < 10 ? 0 : 1;
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
