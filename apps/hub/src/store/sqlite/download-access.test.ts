/**
 * ReleaseStore.downloadAccess on a migrated in-memory SQLite: one statement
 * answers release + live subscription status + grant, agrees with the three
 * separate lookups it replaces, and uses the intended indexes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate } from './migrate.js';
import { DOWNLOAD_ACCESS_SQL, sqliteReleases } from './releases.js';
import { sqliteSubscriptions } from './subscriptions.js';

let db: Database.Database;
const T = '2026-03-01T00:00:00.000Z';

beforeEach(() => {
  db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db);
  const account = db.prepare(`INSERT INTO accounts (id, email, password_hash, display_name, created_at, updated_at) VALUES (?, ?, 'h', 'n', ?, ?)`);
  for (const id of ['acc_p', 'acc_c', 'acc_d', 'acc_e']) account.run(id, `${id}@x.test`, T, T);
  db.prepare(`INSERT INTO datasets (id, producer_id, slug, name, category, status, details, created_at, updated_at) VALUES ('ds_1', 'acc_p', 's', 'n', 'c', 'PUBLISHED', '{}', ?, ?)`).run(T, T);
  const release = db.prepare(
    `INSERT INTO releases (id, dataset_id, producer_id, status, payload_size, payload_sha256, blob_key, manifest, created_at, published_at) VALUES (?, 'ds_1', 'acc_p', ?, 10, 'aa', ?, ?, ?, ?)`,
  );
  release.run('rel_1', 'published', 'k/1', '{"manifest":{"v":1},"signature":"s"}', T, T);
  release.run('rel_2', 'uploading', 'k/2', null, T, null);
  const sub = db.prepare(`INSERT INTO subscriptions (id, dataset_id, consumer_id, producer_id, status, created_at, updated_at) VALUES (?, 'ds_1', ?, 'acc_p', ?, ?, ?)`);
  sub.run('sub_old', 'acc_c', 'cancelled', T, T);
  sub.run('sub_c', 'acc_c', 'active', T, T);
  sub.run('sub_d', 'acc_d', 'suspended', T, T);
  db.prepare(`INSERT INTO grants (release_id, account_id, recipient, header, created_at) VALUES ('rel_1', 'acc_c', 'age1c', 'SEVBREVS', ?)`).run(T);
});
afterEach(() => db.close());

describe('downloadAccess', () => {
  it('returns release, live subscription status and grant together, as the separate lookups do', async () => {
    const releases = sqliteReleases(db);
    const subs = sqliteSubscriptions(db);
    const a = await releases.downloadAccess('rel_1', 'acc_c');
    const full = await releases.get('rel_1');
    expect(a?.release).toEqual({ id: full!.id, datasetId: full!.datasetId, status: full!.status, payloadSize: full!.payloadSize, payloadSha256: full!.payloadSha256, blobKey: full!.blobKey, publishedAt: full!.publishedAt });
    expect(a?.release).toMatchObject({ id: 'rel_1', status: 'published', blobKey: 'k/1', payloadSize: 10 });
    expect(a?.subscription).toBe((await subs.findLive('acc_c', 'ds_1'))?.status);
    expect(a?.subscription).toBe('active');
    expect(a?.grant).toEqual(await releases.getGrant('rel_1', 'acc_c'));
  });

  it('a suspended subscriber without a grant, a stranger, an unpublished and an unknown release', async () => {
    const releases = sqliteReleases(db);
    expect(await releases.downloadAccess('rel_1', 'acc_d')).toMatchObject({ subscription: 'suspended', grant: null });
    expect(await releases.downloadAccess('rel_1', 'acc_e')).toMatchObject({ subscription: null, grant: null, release: { id: 'rel_1' } });
    expect(await releases.downloadAccess('rel_2', 'acc_c')).toMatchObject({ subscription: 'active', grant: null, release: { status: 'uploading' } });
    expect(await releases.downloadAccess('rel_nope', 'acc_c')).toBeNull();
  });

  it('uses the primary keys and the live-subscription partial index', () => {
    const plan = (
      db.prepare(`EXPLAIN QUERY PLAN ${DOWNLOAD_ACCESS_SQL}`).all({ releaseId: 'rel_1', accountId: 'acc_c' }) as { detail: string }[]
    ).map((r) => r.detail);
    expect(plan.join(' | ')).toMatch(/SEARCH r USING INDEX sqlite_autoindex_releases_1 \(id=\?\)/);
    expect(plan.join(' | ')).toContain('SEARCH s USING INDEX subscriptions_live (consumer_id=? AND dataset_id=?)');
    expect(plan.join(' | ')).toMatch(/SEARCH g USING PRIMARY KEY \(release_id=\? AND account_id=\?\)/);
  });
});
