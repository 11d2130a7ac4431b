/**
 * The sync engine against a real hub (startHub on 127.0.0.1), real producers
 * publishing with the real `dme` CLI, real age, a real library file. The
 * engine runs in this process so the test can watch its typed events and
 * every request it makes.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../client/connect.js';
import { loadSecrets } from '../../identity/store.js';
import { startE2eHub, type E2eHub } from '../../../test/e2e/hub-fixture.js';
import { openLibrary, type Library } from '../library/library.js';
import { SyncEngine } from './engine.js';
import type { SyncEvent } from './progress.js';

let h: E2eHub;
const json = <T>(text: string): T => JSON.parse(text) as T;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function numbersCsv(rows: number, tag: string): string {
  const lines = ['id,name,phone'];
  for (let i = 1; i <= rows; i++) lines.push(`${i},${tag}-${i},+1415555${String(i % 10_000).padStart(4, '0')}`);
  return `${lines.join('\n')}\n`;
}

function pricesCsv(from: number, to: number, price: number): string {
  const lines = ['id,price'];
  for (let i = from; i <= to; i++) lines.push(`${i},${price}.5`);
  return `${lines.join('\n')}\n`;
}

async function publish(slug: string, text: string): Promise<string> {
  const file = join(h.dir, `${slug}-${Date.now()}.csv`);
  writeFileSync(file, text);
  return json<{ releaseId: string }>(await h.ok('producer', ['publish', slug, file, '--json', '--quiet'])).releaseId;
}

async function subscribeApproved(user: string, slug: string): Promise<string> {
  const sub = json<{ id: string }>(await h.ok(user, ['subscribe', slug, '--json'])).id;
  await h.ok('producer', ['approve', sub]);
  return sub;
}

interface Running {
  engine: SyncEngine;
  seen: SyncEvent[];
  requests: string[];
  library: string;
  waitFor(pred: (e: SyncEvent) => boolean, what: string, timeoutMs?: number): Promise<SyncEvent>;
}

async function engineFor(user: string, lib?: Library): Promise<Running> {
  const env = { DME_HUB_URL: h.url, DME_HOME: h.home(user), DME_KEYCHAIN: 'off', HOME: h.dir };
  const requests: string[] = [];
  const counting: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    requests.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
    return fetch(input, init);
  };
  const c = await connect(env, counting);
  const { secrets } = await loadSecrets(h.home(user), env);
  const library = join(h.home(user), 'library.sqlite');
  const engine = new SyncEngine({
    hub: c.hub,
    stream: { baseUrl: h.url, fetch: c.session.fetch },
    secrets,
    library: lib ?? library,
    stateDir: join(h.home(user), 'sync'),
    downloadFetch: counting,
    retry: { baseMs: 200, maxMs: 800, maxAttempts: 100 },
  });
  const seen: SyncEvent[] = [];
  const waiters = new Set<() => void>();
  engine.on((e) => {
    seen.push(e);
    for (const w of waiters) w();
  });
  const waitFor = (pred: (e: SyncEvent) => boolean, what: string, timeoutMs = 30_000): Promise<SyncEvent> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = seen.find(pred);
        if (!hit) return;
        cleanup();
        resolve(hit);
      };
      const timer = setTimeout(() => (cleanup(), reject(new Error(`timed out waiting for ${what}; saw ${JSON.stringify(seen.slice(-5))}`))), timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return { engine, seen, requests, library, waitFor };
}

function query<T>(library: string, sql: string): T[] {
  const db = new Database(library, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

const count = (library: string, table: string): number => query<{ n: number }>(library, `SELECT count(*) AS n FROM "${table}"`)[0]!.n;
const imported = (e: SyncEvent, releaseId: string) => e.type === 'imported' && e.releaseId === releaseId;

function blobOf(releaseId: string): string {
  const walk = (dir: string): string | undefined => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (name === releaseId && statSync(p).isFile()) return p;
      if (statSync(p).isDirectory()) {
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

beforeAll(async () => {
  h = await startE2eHub();
  await h.user('producer', 'producer');
  await h.user('alice', 'consumer');
  await h.user('bob', 'consumer');
  writeFileSync(join(h.dir, 'numbers-sample.csv'), numbersCsv(10, 'sample'));
  writeFileSync(join(h.dir, 'prices-sample.csv'), pricesCsv(1, 10, 1));
  await h.ok('producer', ['datasets', 'create', '--name', 'Phone numbers', '--slug', 'numbers', '--schema-from', 'numbers-sample.csv', '--publish']);
  await h.ok('producer', ['datasets', 'create', '--name', 'Prices', '--slug', 'prices', '--schema-from', 'prices-sample.csv', '--mode', 'incremental', '--key', 'id', '--publish']);
}, 120_000);
afterAll(async () => h?.close());

describe('SyncEngine against a real hub', () => {
  let first: string;
  let p1: string;
  let p2: string;

  it('catches up on a new subscription, then imports a new release from the open event stream without polling', async () => {
    first = await publish('numbers', numbersCsv(300, 'r1'));
    await subscribeApproved('alice', 'numbers');
    const a = await engineFor('alice');
    await a.engine.start();
    await a.waitFor((e) => imported(e, first), 'the catch-up import');
    expect(count(a.library, 'numbers')).toBe(300);

    await a.waitFor((e) => e.type === 'idle', 'idle');
    await sleep(300);
    a.requests.length = 0;
    await sleep(1_500);
    // Idle means idle: no request at all while nothing happens (the stream stays open).
    expect(a.requests).toEqual([]);

    const second = await publish('numbers', numbersCsv(120, 'r2'));
    const done = await a.waitFor((e) => imported(e, second), 'the pushed release');
    expect(done).toMatchObject({ type: 'imported', dataset: 'Phone numbers', rows: 120, producer: 'producer', table: 'numbers' });
    expect(a.requests.some((r) => r.startsWith('GET /v1/consumer/download/'))).toBe(true);
    // Snapshot: the second release replaced the table.
    expect(count(a.library, 'numbers')).toBe(120);
    expect(query<{ name: string }>(a.library, 'SELECT name FROM numbers WHERE id = 7')[0]!.name).toBe('r2-7');
    expect(a.seen.some((e) => e.type === 'downloading' && e.releaseId === second && e.bytes === e.total)).toBe(true);
    expect(a.seen.some((e) => e.type === 'importing' && e.releaseId === second)).toBe(true);
    await a.engine.stop();
    expect(a.engine.status).toBe('stopped');
  }, 120_000);

  it('after being offline, imports each missed release once, oldest first, deleting each payload before its commit', async () => {
    const before = query<{ release_id: string }>(join(h.home('alice'), 'library.sqlite'), 'SELECT release_id FROM dme_releases');
    const r3 = await publish('numbers', numbersCsv(50, 'r3'));
    const r4 = await publish('numbers', numbersCsv(60, 'r4'));
    const lib = openLibrary(join(h.home('alice'), 'library.sqlite'));
    const downloads = join(h.home('alice'), 'sync', 'downloads');
    try {
      // Seen from inside each commit: the release row is inserted by the transaction that commits the table.
      lib.db.function('payload_on_disk', (id: unknown) => Number(existsSync(join(downloads, `${String(id)}.payload`))));
      lib.db.exec('CREATE TEMP TABLE at_commit (release TEXT, payload INTEGER); CREATE TEMP TRIGGER payload_check AFTER INSERT ON main.dme_releases BEGIN INSERT INTO at_commit VALUES (NEW.release_id, payload_on_disk(NEW.release_id)); END');
      const a = await engineFor('alice', lib);
      await a.engine.start();
      await a.waitFor((e) => imported(e, r4), 'the newest missed release');
      const order = a.seen.filter((e) => e.type === 'imported').map((e) => (e as { releaseId: string }).releaseId);
      expect(order).toEqual([r3, r4]);
      const after = query<{ release_id: string; n: number }>(a.library, 'SELECT release_id, count(*) AS n FROM dme_releases GROUP BY release_id');
      expect(after.length).toBe(before.length + 2);
      expect(after.every((r) => r.n === 1)).toBe(true);
      expect(count(a.library, 'numbers')).toBe(60);
      await a.engine.stop();
      expect(lib.db.prepare('SELECT release, payload FROM at_commit').all()).toEqual([
        { release: r3, payload: 0 },
        { release: r4, payload: 0 },
      ]);
    } finally {
      lib.close();
    }
  }, 120_000);

  it('a tampered payload is not imported, the previous data stays, the error is reported and the release retried until it verifies', async () => {
    const r5 = await publish('numbers', numbersCsv(70, 'r5'));
    const blob = blobOf(r5);
    const good = readFileSync(blob);
    const bad = Buffer.from(good);
    bad[bad.length >> 1]! ^= 0x01;
    writeFileSync(blob, bad);

    const a = await engineFor('alice');
    await a.engine.start();
    const err = await a.waitFor((e) => e.type === 'error' && e.releaseId === r5, 'the verification error');
    expect(err).toMatchObject({ code: 'VERIFY_FAILED', attempt: 1 });
    expect((err as { retryAt: string | null }).retryAt).not.toBeNull();
    await a.waitFor((e) => e.type === 'error' && e.releaseId === r5 && e.attempt >= 2, 'a retry');
    expect(count(a.library, 'numbers')).toBe(60);
    expect(query(a.library, `SELECT 1 FROM dme_releases WHERE release_id = '${r5}'`)).toEqual([]);

    writeFileSync(blob, good);
    await a.waitFor((e) => imported(e, r5), 'the import once the payload verifies');
    expect(count(a.library, 'numbers')).toBe(70);
    await a.engine.stop();
  }, 120_000);

  it('an incremental dataset upserts each release on its key', async () => {
    p1 = await publish('prices', pricesCsv(1, 100, 1));
    await subscribeApproved('bob', 'prices');
    const b = await engineFor('bob');
    await b.engine.start();
    await b.waitFor((e) => imported(e, p1), 'the first prices release');
    p2 = await publish('prices', pricesCsv(51, 150, 2));
    await b.waitFor((e) => imported(e, p2), 'the second prices release');
    expect(count(b.library, 'prices')).toBe(150);
    const rows = query<{ id: number; price: number }>(b.library, 'SELECT id, price FROM prices WHERE id IN (1, 50, 51, 150) ORDER BY id');
    expect(rows).toEqual([
      { id: 1, price: 1.5 },
      { id: 50, price: 1.5 },
      { id: 51, price: 2.5 },
      { id: 150, price: 2.5 },
    ]);
    await b.engine.stop();
  }, 120_000);

  it('a subscription approved while the engine runs is caught up from the stream', async () => {
    await h.user('dave', 'consumer');
    const d = await engineFor('dave');
    await d.engine.start();
    await d.waitFor((e) => e.type === 'idle', 'idle with no subscription');
    await subscribeApproved('dave', 'prices');
    // No restart: SUBSCRIPTION_ACTIVATED on the open stream triggers the catch-up of its history.
    await d.waitFor((e) => imported(e, p2), 'the history of the new subscription');
    const order = d.seen.filter((e) => e.type === 'imported').map((e) => (e as { releaseId: string }).releaseId);
    expect(order).toEqual([p1, p2]);
    expect(count(d.library, 'prices')).toBe(150);
    await d.engine.stop();
  }, 120_000);

  it('a suspended subscription stops receiving while its local data stays', async () => {
    const a = await engineFor('alice');
    await a.engine.start();
    await a.waitFor((e) => e.type === 'idle', 'idle');
    const sub = json<{ items: { id: string; status: string }[] }>(await h.ok('alice', ['subscriptions', '--json'])).items.find((s) => s.status === 'active')!;
    a.requests.length = 0;
    await h.ok('producer', ['suspend', sub.id]);
    const r6 = await publish('numbers', numbersCsv(10, 'r6'));
    // The DATA_PUBLISHED event reaches only active subscribers; give the stream time to deliver anything.
    await sleep(1_500);
    expect(a.seen.some((e) => e.type === 'imported' && e.releaseId === r6)).toBe(false);
    // The SUBSCRIPTION_SUSPENDED event made the engine re-read its subscriptions, and it asked for nothing else.
    expect(a.requests).toContain('GET /v1/consumer/subscriptions');
    expect(a.requests.filter((r) => r.includes('/download/') || r.includes('/releases'))).toEqual([]);
    expect(count(a.library, 'numbers')).toBe(70);
    await a.engine.stop();
  }, 120_000);

  it('refuses a second engine on the same state directory', async () => {
    const a = await engineFor('alice');
    const b = await engineFor('alice');
    await a.engine.start();
    await expect(b.engine.start()).rejects.toMatchObject({ code: 'SYNC_LOCKED' });
    await a.engine.stop();
  }, 60_000);
});
