/**
 * Zero knowledge (DESIGN §2): after real publishes through the real CLI, every
 * byte of the hub's data directory (SQLite db, -wal, -shm, secrets, blobs) is
 * scanned for the plaintext, each release's file key and every identity
 * secret of every user, in the encodings they could plausibly be stored in.
 * None may be found. Positive controls prove the scan reads what the hub
 * stores (the registered public keys are in the database, the payload is a
 * blob).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bech32 } from '@scure/base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrapFileKey } from '../../src/crypto/age/index.js';
import { decodeSecretKey } from '../../src/crypto/ed25519.js';
import { loadSecrets } from '../../src/identity/store.js';
import { PASSWORD, startE2eHub, type E2eHub } from './hub-fixture.js';

let h: E2eHub;
const USERS = ['producer', 'alice', 'bob'] as const;
/** Long and random: it cannot occur in the hub's files by chance. */
const MARKER = `ZK-MARKER-${randomBytes(24).toString('hex')}`;

beforeAll(async () => {
  h = await startE2eHub();
}, 60_000);
afterAll(async () => h?.close());

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/** A value and the encodings a careless store might keep it in. */
function forms(name: string, raw: Uint8Array, text?: string): [string, Buffer][] {
  const b = Buffer.from(raw);
  const out: [string, Buffer][] = [
    [`${name} raw`, b],
    [`${name} hex`, Buffer.from(b.toString('hex'))],
    [`${name} HEX`, Buffer.from(b.toString('hex').toUpperCase())],
    [`${name} base64`, Buffer.from(b.toString('base64').replace(/=+$/, ''))],
    [`${name} base64url`, Buffer.from(b.toString('base64url'))],
  ];
  if (text) out.push([`${name} text`, Buffer.from(text)], [`${name} text lower`, Buffer.from(text.toLowerCase())], [`${name} text upper`, Buffer.from(text.toUpperCase())]);
  return out;
}

function found(files: string[], needles: [string, Buffer][]): string[] {
  const hits: string[] = [];
  for (const f of files) {
    const bytes = readFileSync(f);
    for (const [name, needle] of needles) if (bytes.indexOf(needle) >= 0) hits.push(`${name} in ${f}`);
  }
  return hits;
}

describe('the hub never holds plaintext or keys', () => {
  const needles: [string, Buffer][] = [];
  const recipients: string[] = [];
  let payloadBytes = 0;

  it('publishes through the CLI to an approved subscriber and collects every secret', async () => {
    await h.user('producer', 'producer');
    await h.user('alice', 'consumer');
    await h.user('bob', 'consumer');
    const rows = Array.from({ length: 300 }, (_, i) => `${i},${MARKER},+1415555${String(i).padStart(4, '0')}`);
    const plaintext = `id,secret,phone\n${rows.join('\n')}\n`;
    writeFileSync(join(h.dir, 'secret.csv'), plaintext);
    await h.ok('producer', ['datasets', 'create', '--name', 'Secrets', '--slug', 'secrets', '--format', 'csv', '--publish']);
    const r1 = JSON.parse(await h.ok('producer', ['publish', 'secrets', 'secret.csv', '--json'])) as { releaseId: string; payloadSize: number };
    const sub = JSON.parse(await h.ok('alice', ['subscribe', 'secrets', '--json'])) as { id: string };
    await h.ok('bob', ['subscribe', 'secrets']);
    await h.ok('producer', ['approve', sub.id]);
    const r2 = JSON.parse(await h.ok('producer', ['publish', 'secrets', 'secret.csv', '--json'])) as { releaseId: string; payloadSize: number; grants: number };
    expect(r2.grants).toBe(2);
    await h.ok('alice', ['pull', 'secrets', '-o', 'pulled.csv']);
    expect(readFileSync(join(h.dir, 'pulled.csv'), 'utf8')).toBe(plaintext);
    payloadBytes = r1.payloadSize + r2.payloadSize;

    needles.push(['plaintext marker', Buffer.from(MARKER)], ['plaintext first row', Buffer.from(rows[0]!)]);
    needles.push(...forms('plaintext marker', Buffer.from(MARKER)).slice(1));
    needles.push(['password', Buffer.from(PASSWORD)]);
    const producer = await loadSecrets(h.home('producer'), { DME_KEYCHAIN: 'off' });
    for (const rel of [r1.releaseId, r2.releaseId]) {
      const grant = await h.call('producer', 'GET', `/v1/producer/releases/${rel}/grant`);
      expect(grant.status).toBe(200);
      const fileKey = unwrapFileKey(new Uint8Array(Buffer.from((grant.body as { header: string }).header, 'base64')), [producer.secrets.ageIdentity]);
      expect(fileKey).toHaveLength(16);
      needles.push(...forms(`file key of ${rel}`, fileKey));
    }
    for (const user of USERS) {
      const { identity, secrets } = await loadSecrets(h.home(user), { DME_KEYCHAIN: 'off' });
      recipients.push(identity.ageRecipient);
      const age = bech32.fromWords(bech32.decode(secrets.ageIdentity.toLowerCase() as `${string}1${string}`, 1024).words);
      expect(age).toHaveLength(32);
      needles.push(...forms(`${user} AGE-SECRET-KEY`, age, secrets.ageIdentity));
      expect(secrets.signingSecretKey.toUpperCase()).toMatch(/^DME-ED25519-SECRET-1/);
      needles.push(...forms(`${user} DME-ED25519-SECRET`, decodeSecretKey(secrets.signingSecretKey), secrets.signingSecretKey));
    }
    // Generic prefixes catch any identity, not only the ones listed above.
    needles.push(['AGE-SECRET-KEY-1', Buffer.from('AGE-SECRET-KEY-1')], ['age-secret-key-1', Buffer.from('age-secret-key-1')]);
    needles.push(['DME-ED25519-SECRET', Buffer.from('DME-ED25519-SECRET')], ['dme-ed25519-secret', Buffer.from('dme-ed25519-secret')]);
  }, 120_000);

  it('finds none of them in any file of the running hub (db, -wal, -shm, blobs)', () => {
    const files = filesUnder(h.dataDir);
    const names = files.map((f) => f.slice(h.dataDir.length + 1));
    expect(names).toContain('hub.db');
    const blobs = files.filter((f) => f.includes(`${join(h.dataDir, 'blobs')}/`));
    expect(blobs.reduce((n, f) => n + statSync(f).size, 0)).toBeGreaterThanOrEqual(payloadBytes);
    // Positive control: the scanner sees what the hub does store (public keys).
    for (const r of recipients) expect(found(files, [['recipient', Buffer.from(r)]])).not.toEqual([]);
    expect(found(files, needles)).toEqual([]);
  });

  it('and none after the hub stops and SQLite checkpoints its log into the database', async () => {
    await h.stop();
    const files = filesUnder(h.dataDir);
    expect(files.length).toBeGreaterThan(1);
    expect(found(files, needles)).toEqual([]);
  }, 60_000);
});
