/**
 * Issue 3's end-to-end proof: the real hub on 127.0.0.1 and the real `dme`
 * CLI as separate processes. A producer and two consumers sign up; the
 * producer publishes a CSV; consumer A, approved, pulls byte-identical
 * plaintext (and `age -d` agrees); consumer B, never approved, is refused on
 * every route to the data; once A is suspended, a new release is not
 * readable by A while what A already pulled stays on disk.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2eHub, type E2eHub } from './hub-fixture.js';

let h: E2eHub;
const json = <T>(text: string): T => JSON.parse(text) as T;

function csv(rows: number, tag: string): string {
  const lines = ['id,name,phone,added'];
  for (let i = 1; i <= rows; i++) lines.push(`${i},${tag}-${i},+1415555${String(i % 10_000).padStart(4, '0')},2025-01-${String((i % 28) + 1).padStart(2, '0')}`);
  return `${lines.join('\n')}\n`;
}

beforeAll(async () => {
  h = await startE2eHub();
}, 60_000);
afterAll(async () => h?.close());

describe('dme CLI against a real hub', () => {
  let datasetId: string;
  let release1: string;
  let subA: string;
  const first = csv(2000, randomBytes(6).toString('hex'));
  const second = csv(500, randomBytes(6).toString('hex'));

  it('signs up a producer and two consumers, each registering its own keys', async () => {
    await h.user('producer', 'producer');
    await h.user('alice', 'consumer');
    await h.user('bob', 'consumer');
    const who = json<{ account: { features: string[] }; keys: { ageRecipient: string } }>(await h.ok('alice', ['whoami', '--json']));
    const local = json<{ ageRecipient: string }>(await h.ok('alice', ['identity', 'show', '--json']));
    expect(who.account.features).toEqual(['DATA_CONSUMER']);
    expect(who.keys.ageRecipient).toBe(local.ageRecipient);
    // Session tokens live in a 0600 file when there is no keychain.
    expect(readFileSync(join(h.home('alice'), 'session.json'), 'utf8')).toContain(h.url);
  }, 120_000);

  it('creates a dataset from a sample file and publishes a CSV', async () => {
    writeFileSync(join(h.dir, 'numbers.csv'), first);
    const ds = json<{ id: string; status: string; columns: { name: string; type: string }[] }>(
      await h.ok('producer', ['datasets', 'create', '--name', 'Phone numbers', '--slug', 'numbers', '--schema-from', 'numbers.csv', '--interval', '1d', '--publish', '--json']),
    );
    datasetId = ds.id;
    expect(ds.status).toBe('PUBLISHED');
    expect(ds.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['id:integer', 'name:text', 'phone:phone_e164', 'added:date']);
    const out = json<{ releaseId: string; recordCount: number; plaintextSize: number; grants: number }>(await h.ok('producer', ['publish', 'numbers', 'numbers.csv', '--json']));
    release1 = out.releaseId;
    expect(out.recordCount).toBe(2000);
    expect(out.plaintextSize).toBe(Buffer.byteLength(first));
    expect(out.grants).toBe(1);
  }, 120_000);

  it('consumer A subscribes, is approved (history grant written) and pulls byte-identical plaintext', async () => {
    subA = json<{ id: string; status: string }>(await h.ok('alice', ['subscribe', 'numbers', '--json'])).id;
    await h.ok('bob', ['subscribe', datasetId, '--message', 'please']);
    const pending = json<{ items: { subscription: { id: string; status: string } }[] }>(await h.ok('producer', ['subscribers', '--status', 'pending', '--json']));
    expect(pending.items.map((i) => i.subscription.id)).toContain(subA);
    const approved = json<{ subscription: { status: string }; grantsWritten: number }>(await h.ok('producer', ['approve', subA, '--json']));
    expect(approved).toMatchObject({ subscription: { status: 'active' }, grantsWritten: 1 });
    const pulled = json<{ output: string; releaseId: string }>(await h.ok('alice', ['pull', 'numbers', '-o', 'alice-1.csv', '--json']));
    expect(pulled.releaseId).toBe(release1);
    expect(readFileSync(join(h.dir, 'alice-1.csv'), 'utf8')).toBe(first);
  }, 120_000);

  it('the grant plus the payload is an age file that `age -d` decrypts with the exported identity', async () => {
    await h.ok('alice', ['identity', 'export', '-o', 'alice-key.txt']);
    const d = await h.call('alice', 'GET', `/v1/consumer/download/${release1}`);
    expect(d.status).toBe(200);
    const body = d.body as { url: string; grant: { header: string } };
    const payload = Buffer.from(await (await fetch(body.url)).arrayBuffer());
    writeFileSync(join(h.dir, 'release.age'), Buffer.concat([Buffer.from(body.grant.header, 'base64'), payload]));
    const plain = execFileSync('age', ['-d', '-i', join(h.dir, 'alice-key.txt'), join(h.dir, 'release.age')]);
    expect(plain.toString('utf8')).toBe(first);
  }, 60_000);

  it('consumer B, never approved, is refused on every route to the data', async () => {
    const consumerRoutes: [string, string][] = [
      ['GET', `/v1/consumer/datasets/${datasetId}/releases`],
      ['GET', `/v1/consumer/download/${release1}`],
    ];
    const producerRoutes: [string, string, unknown?][] = [
      ['GET', `/v1/producer/releases/${release1}/grant`],
      ['GET', `/v1/producer/datasets/${datasetId}/releases`],
      ['POST', `/v1/producer/releases/${release1}/upload-target`],
      ['POST', `/v1/producer/datasets/${datasetId}/releases`, { payloadSize: 10 }],
      ['PUT', `/v1/producer/datasets/${datasetId}`, { name: 'mine now' }],
      ['POST', '/v1/producer/approve', { subscriptionId: subA }],
      ['POST', '/v1/producer/suspend', { subscriptionId: subA }],
    ];
    const statuses: string[] = [];
    for (const [method, path] of consumerRoutes) statuses.push(`${method} ${path} ${(await h.call('bob', method, path)).status}`);
    for (const [method, path, body] of producerRoutes) statuses.push(`${method} ${path} ${(await h.call('bob', method, path, body)).status}`);
    // As a producer too, another producer's data stays invisible (404, not 403).
    await h.ok('bob', ['enable', 'producer']);
    for (const [method, path, body] of producerRoutes) statuses.push(`${method} ${path} as-producer ${(await h.call('bob', method, path, body)).status}`);
    for (const s of statuses) expect(s).toMatch(/ (403|404)$/);
    expect(statuses.filter((s) => s.includes('as-producer')).every((s) => s.endsWith(' 404'))).toBe(true);

    const pull = await h.dme('bob', ['pull', 'numbers', '--release', release1, '-o', 'bob.csv']);
    expect(pull.status).toBe(1);
    expect(pull.stderr).toMatch(/^dme pull: .*(403|FORBIDDEN|not active)/);
    expect(pull.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(h.dir, 'bob.csv'))).toBe(false);
  }, 120_000);

  it('after A is suspended a new release is not readable by A; what A pulled stays on disk', async () => {
    expect(json<{ subscription: { status: string } }>(await h.ok('producer', ['suspend', subA, '--reason', 'unpaid', '--json'])).subscription.status).toBe('suspended');
    writeFileSync(join(h.dir, 'numbers-2.csv'), second);
    const out = json<{ releaseId: string; grants: number }>(await h.ok('producer', ['publish', 'numbers', 'numbers-2.csv', '--json']));
    expect(out.grants).toBe(1); // the producer's own: no grant was written for A
    expect(await h.running.hub.store.releases.getGrant(out.releaseId, json<{ account: { id: string } }>(await h.ok('alice', ['whoami', '--json'])).account.id)).toBeNull();

    const d = await h.call('alice', 'GET', `/v1/consumer/download/${out.releaseId}`);
    expect(d.status).toBe(403);
    const pull = await h.dme('alice', ['pull', 'numbers', '--release', out.releaseId, '-o', 'alice-2.csv']);
    expect(pull.status).toBe(1);
    expect(existsSync(join(h.dir, 'alice-2.csv'))).toBe(false);
    expect(readdirSync(h.dir).filter((f) => f.includes('alice-2'))).toEqual([]);
    expect(readFileSync(join(h.dir, 'alice-1.csv'), 'utf8')).toBe(first);
  }, 120_000);

  it('reinstating A re-writes its grants, and A reads the release it missed', async () => {
    const r = json<{ subscription: { status: string }; grantsWritten: number }>(await h.ok('producer', ['reinstate', subA, '--json']));
    expect(r.subscription.status).toBe('active');
    expect(r.grantsWritten).toBe(2);
    await h.ok('alice', ['pull', 'numbers', '-o', 'alice-2.csv']);
    expect(readFileSync(join(h.dir, 'alice-2.csv'), 'utf8')).toBe(second);
  }, 120_000);

  it('a payload altered in the hub\'s blob store is refused: nothing at -o, no partial left', async () => {
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
    const blob = walk(join(h.dataDir, 'blobs')).find((f) => f.includes(release1) && !f.endsWith('.json'));
    expect(blob).toBeDefined();
    const bytes = readFileSync(blob!);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(blob!, bytes);
    const r = await h.dme('alice', ['pull', 'numbers', '--release', release1, '-o', 'tampered.csv', '--quiet']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^dme pull: payload SHA-256 does not match the manifest/);
    expect(readdirSync(h.dir).filter((f) => f.includes('tampered'))).toEqual([]);
  }, 60_000);

  it('logout forgets the session; commands then ask for a login', async () => {
    await h.ok('bob', ['logout']);
    const r = await h.dme('bob', ['subscriptions']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^dme subscriptions: not logged in/);
  }, 60_000);
});
