#!/usr/bin/env node
// Benchmark: event delivery latency. Starts the built hub (dist) in
// development mode on 127.0.0.1, makes 1 producer and N consumers with
// approved subscriptions (default 1,000), opens one SSE stream per consumer
// (spread over a few client processes), gives W of them (default 100) a
// webhook to a receiver on loopback, publishes one release, and measures
// the time from the publish commit (the event's createdAt, stamped just
// before the commit, so the figures slightly overstate latency) to receipt
// at every stream and receiver. Prints p50/p99/max for each and the hub's
// RSS (VmRSS now, VmHWM peak, from /proc/<pid>/status).
//
//   npm run build && npm run bench:events
//   DME_BENCH_CLIENTS=200 DME_BENCH_WEBHOOKS=20 npm run bench:events
//
// Targets: p99 <= 1 s for both, RSS < 300 MB. Temp data lives under $TMPDIR and is deleted.
import { fork, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

if (process.argv[2] === 'client') await clientRole();
else await main();

/** A client process: opens one SSE stream per token, reports ready (caught up) and receipt times. */
async function clientRole() {
  const { parseSse } = await import(join(root, 'packages/core/dist/sdk/events.js'));
  process.on('message', async (msg) => {
    if (msg.type !== 'open') return;
    const ctl = new AbortController();
    process.on('message', (m) => m.type === 'stop' && (ctl.abort(), process.exit(0)));
    await Promise.all(
      msg.tokens.map(async (token) => {
        try {
          const res = await fetch(`${msg.url}/v1/events?after=${msg.after}`, { headers: { authorization: `Bearer ${token}` }, signal: ctl.signal });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          for await (const m of parseSse(res.body, undefined, (c) => c === 'caught-up' && process.send({ type: 'ready' }))) {
            const e = JSON.parse(m.data);
            if (e.type === 'DATA_PUBLISHED') process.send({ type: 'got', at: Date.now(), createdAt: e.createdAt });
          }
        } catch (err) {
          if (!ctl.signal.aborted) process.send({ type: 'error', error: String(err) });
        }
      }),
    );
  });
}

function pct(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
}
function stats(name, ms) {
  const s = [...ms].sort((a, b) => a - b);
  return `${name.padEnd(9)} n=${String(s.length).padStart(5)}  p50 ${pct(s, 50)} ms  p99 ${pct(s, 99)} ms  max ${s.at(-1)} ms`;
}

async function pool(items, n, fn) {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) { const k = i++; await fn(items[k], k); }
  }));
}

async function main() {
  const N = Number(process.env.DME_BENCH_CLIENTS ?? 1000);
  const W = Math.min(N, Number(process.env.DME_BENCH_WEBHOOKS ?? 100));
  const PROCS = Number(process.env.DME_BENCH_PROCS ?? 2);
  const age = await import(join(root, 'packages/core/dist/crypto/age/index.js'));
  const { signManifest, generateSigningKey } = await import(join(root, 'packages/core/dist/crypto/manifest.js'));
  const Database = (await import('better-sqlite3')).default;

  const dir = mkdtempSync(join(tmpdir(), 'dme-bench-events-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const url = `http://127.0.0.1:${port}`;
  const hub = spawn(process.execPath, [join(root, 'apps/hub/bin/dme-hub.js'), 'serve'], {
    env: { ...process.env, DME_HUB_DEV: '1', DME_HUB_PORT: String(port), DME_HUB_HOST: '127.0.0.1', DME_HUB_DATA: dir, DME_HUB_PASSWORD_ITERATIONS: '1000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const children = [];
  const servers = [];
  const cleanup = () => {
    for (const c of children) c.kill();
    hub.kill('SIGTERM');
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; ; i++) {
      if (i > 100) throw new Error('hub did not start');
      try { if ((await fetch(`${url}/v1/openapi.json`)).ok) break; } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    const db = new Database(join(dir, 'hub.db'));
    db.pragma('busy_timeout = 5000');
    const api = async (method, path, token, body) => {
      for (let attempt = 0; attempt < 20; attempt++) {
        const res = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
        if (res.status === 429) { await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1))); continue; }
        const json = await res.json().catch(() => null);
        if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
        return json;
      }
      throw new Error(`${method} ${path}: rate limited`);
    };
    // Tiers have no self-service route: set them in the hub's database, as an operator would.
    const setTier = db.prepare(`UPDATE accounts SET tier = ? WHERE id = ?`);
    const account = async (name, feature) => {
      const s = await api('POST', '/v1/auth/signup', undefined, { email: `${name}@bench.example`, password: `bench password ${name}`, displayName: name });
      await api('POST', '/v1/account/enable-feature', s.accessToken, { feature });
      const { recipient, identity } = age.generateIdentity();
      const sk = await generateSigningKey();
      await api('PUT', '/v1/account/keys', s.accessToken, { ageRecipient: recipient, signingPublicKey: sk.publicKey });
      return { id: s.account.id, token: s.accessToken, recipient, identity, sk };
    };
    let t = Date.now();
    const producer = await account('producer', 'DATA_PRODUCER');
    const ds = await api('POST', '/v1/producer/datasets', producer.token, { name: 'Bench numbers', slug: 'bench-numbers', format: 'csv', description: 'bench' });
    await api('PUT', `/v1/producer/datasets/${ds.id}`, producer.token, { status: 'PUBLISHED' });

    const hookAt = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const e = JSON.parse(body);
        if (e.type === 'DATA_PUBLISHED') hookAt.push({ at: Date.now(), createdAt: e.createdAt });
        res.writeHead(204).end();
      });
    });
    servers.push(receiver);
    await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
    const hookPort = receiver.address().port;

    const consumers = [];
    await pool(Array.from({ length: N }, (_, i) => i), 16, async (i) => {
      consumers[i] = await account(`consumer${i}`, 'DATA_CONSUMER');
    });
    // One batch while no request is in flight: the hub's own transactions must not meet an outside writer.
    db.transaction(() => {
      setTier.run('ENTERPRISE', producer.id);
      for (let i = 0; i < W; i++) setTier.run('PROFESSIONAL', consumers[i].id);
    })();
    await pool(consumers, 16, async (c, i) => {
      const sub = await api('POST', '/v1/consumer/subscribe', c.token, { datasetId: ds.id });
      await api('POST', '/v1/producer/approve', producer.token, { subscriptionId: sub.id });
      if (i < W) await api('PUT', '/v1/consumer/webhook', c.token, { url: `http://127.0.0.1:${hookPort}/hook/${i}` });
    });
    db.close();
    console.log(`setup: ${N} consumers (${W} with webhooks) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const after = 0;

    // Streams, spread over client processes.
    let ready = 0;
    const sse = [];
    const errors = [];
    for (let p = 0; p < PROCS; p++) {
      const child = fork(fileURLToPath(import.meta.url), ['client'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      child.on('message', (m) => {
        if (m.type === 'ready') ready++;
        else if (m.type === 'got') sse.push(m);
        else if (m.type === 'error') errors.push(m.error);
      });
      child.send({ type: 'open', url, after, tokens: consumers.filter((_, i) => i % PROCS === p).map((c) => c.token) });
    }
    for (let i = 0; ready < N; i++) {
      if (i > 600) throw new Error(`only ${ready}/${N} streams caught up; errors: ${errors.slice(0, 3).join('; ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const rssBefore = readFileSync(`/proc/${hub.pid}/status`, 'utf8');
    console.log(`streams: ${ready} open and caught up`);

    // Publish one release (the producer's own grant; subscribers' grants are not needed for the event).
    const plaintext = Buffer.from('number,carrier\n+12025550100,acme\n');
    const fileKey = age.randomFileKey();
    const chunks = [];
    const enc = await age.encryptPayload((async function* () { yield new Uint8Array(plaintext); })(), new Writable({ write(c, _e, cb) { chunks.push(c); cb(); } }), fileKey);
    const payload = Buffer.concat(chunks);
    const start = await api('POST', `/v1/producer/datasets/${ds.id}/releases`, producer.token, { payloadSize: payload.length, payloadSha256: enc.payloadSha256 });
    const put = await fetch(start.target.url, { method: 'PUT', body: payload, headers: { 'content-length': String(payload.length) } });
    if (!put.ok) throw new Error(`upload: ${put.status}`);
    const manifest = { v: 1, datasetId: ds.id, releaseId: start.release.id, payloadSize: payload.length, payloadSha256: enc.payloadSha256, plaintextSize: plaintext.length, plaintextSha256: createHash('sha256').update(plaintext).digest('hex'), recordCount: 1, schemaVersion: 'v1', createdAt: new Date().toISOString(), producerKey: producer.sk.publicKey };
    const header = Buffer.from(age.encodeHeader(fileKey, [producer.recipient])).toString('base64');
    await api('POST', `/v1/producer/releases/${start.release.id}/complete`, producer.token, { manifest: await signManifest(manifest, producer.sk.secretKey), grants: [{ recipientAccountId: producer.id, recipient: producer.recipient, header }] });
    const completedAt = Date.now();

    for (let i = 0; sse.length < N || hookAt.length < W; i++) {
      if (i > 300) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const status = readFileSync(`/proc/${hub.pid}/status`, 'utf8');
    const kb = (s, k) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? NaN);
    const lat = (xs) => xs.map((x) => x.at - Date.parse(x.createdAt));
    console.log(`publish complete returned ${completedAt - Date.parse(sse[0]?.createdAt ?? hookAt[0]?.createdAt ?? new Date(completedAt).toISOString())} ms after the event's createdAt`);
    console.log(stats('SSE', lat(sse)) + `   (${sse.length}/${N} received)`);
    console.log(stats('webhooks', lat(hookAt)) + `   (${hookAt.length}/${W} received)`);
    console.log(`hub RSS: ${(kb(status, 'VmRSS') / 1024).toFixed(0)} MB now, ${(kb(status, 'VmHWM') / 1024).toFixed(0)} MB peak (${(kb(rssBefore, 'VmRSS') / 1024).toFixed(0)} MB with streams open before publishing)`);
    if (errors.length) console.log(`client errors: ${errors.length} (first: ${errors[0]})`);
    for (const c of children) c.send({ type: 'stop' });
  } finally {
    cleanup();
  }
}
