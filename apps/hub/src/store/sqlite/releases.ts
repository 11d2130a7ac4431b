/**
 * @module store/sqlite/releases
 * ReleaseStore and grants on better-sqlite3. `publish` flips the release only
 * from 'uploading' (a conditional UPDATE), so a completed release can never
 * be completed twice, and writes grants, the dataset's last release and the
 * ledger effects in the same transaction.
 */
import type { Database } from 'better-sqlite3';
import { writeTx } from './tx.js';
import type { ActivationCheck, DownloadAccess, GrantRecord, PublishInput, ReleaseRecord, ReleaseStore } from '../releases.js';
import type { SubscriptionStatus } from '../subscriptions.js';
import type { Effects } from '../ledger.js';
import { effectsWriter } from './ledger.js';

interface ReleaseRow {
  id: string;
  dataset_id: string;
  producer_id: string;
  status: ReleaseRecord['status'];
  payload_size: number;
  payload_sha256: string | null;
  blob_key: string;
  upload_id: string | null;
  manifest: string | null;
  profile: string | null;
  created_at: string;
  published_at: string | null;
}

interface GrantRow {
  release_id: string;
  account_id: string;
  recipient: string;
  header: string;
  created_at: string;
}

const toRelease = (r: ReleaseRow): ReleaseRecord => ({
  id: r.id,
  datasetId: r.dataset_id,
  producerId: r.producer_id,
  status: r.status,
  payloadSize: r.payload_size,
  payloadSha256: r.payload_sha256,
  blobKey: r.blob_key,
  uploadId: r.upload_id,
  manifest: r.manifest === null ? null : (JSON.parse(r.manifest) as unknown),
  profile: r.profile === null ? null : (JSON.parse(r.profile) as unknown),
  createdAt: r.created_at,
  publishedAt: r.published_at,
});

const toGrant = (r: GrantRow): GrantRecord => ({
  releaseId: r.release_id,
  accountId: r.account_id,
  recipient: r.recipient,
  header: r.header,
  createdAt: r.created_at,
});

/** Shared by the subscription store: grant upserts and "activate when covered". */
export function grantWriter(db: Database) {
  const upsert = db.prepare(
    `INSERT INTO grants (release_id, account_id, recipient, header, created_at) VALUES (@releaseId, @accountId, @recipient, @header, @createdAt)
     ON CONFLICT (release_id, account_id) DO UPDATE SET recipient = excluded.recipient, header = excluded.header, created_at = excluded.created_at`,
  );
  const hasGrant = db.prepare<[string, string], { n: number }>(`SELECT count(*) AS n FROM grants WHERE release_id = ? AND account_id = ?`);
  const activate = db.prepare(`UPDATE subscriptions SET status = 'active', updated_at = ? WHERE id = ? AND status = 'approved'`);
  return {
    put(grants: GrantRecord[]): void {
      for (const g of grants) upsert.run(g);
    },
    /** Activates an approved subscription whose history releases are all granted; returns whether it did. */
    activateIfCovered(check: ActivationCheck, now: string): boolean {
      const covered = check.releaseIds.every((id) => hasGrant.get(id, check.consumerId)!.n > 0);
      return covered && activate.run(now, check.subscriptionId).changes > 0;
    },
  };
}

/**
 * One statement instead of three on the hottest read (a download answer). The
 * subscription term repeats the partial index's WHERE so subscriptions_live serves it.
 */
export const DOWNLOAD_ACCESS_SQL = `SELECT r.id, r.dataset_id, r.status, r.payload_size, r.payload_sha256, r.blob_key, r.published_at, s.status AS sub_status, g.recipient AS g_recipient, g.header AS g_header, g.created_at AS g_created_at
  FROM releases r
  LEFT JOIN subscriptions s ON s.consumer_id = @accountId AND s.dataset_id = r.dataset_id
    AND s.status IN ('pending', 'approved', 'active', 'suspended')
  LEFT JOIN grants g ON g.release_id = r.id AND g.account_id = @accountId
  WHERE r.id = @releaseId`;

export function sqliteReleases(db: Database): ReleaseStore {
  const apply = effectsWriter(db);
  const grants = grantWriter(db);
  const byId = db.prepare<[string], ReleaseRow>(`SELECT * FROM releases WHERE id = ?`);
  const insert = db.prepare(
    `INSERT INTO releases (id, dataset_id, producer_id, status, payload_size, payload_sha256, blob_key, upload_id, created_at)
     VALUES (@id, @datasetId, @producerId, @status, @payloadSize, @payloadSha256, @blobKey, @uploadId, @createdAt)`,
  );
  const setUploadId = db.prepare(`UPDATE releases SET upload_id = ? WHERE id = ?`);
  const publish = db.prepare(
    `UPDATE releases SET status = 'published', manifest = ?, profile = ?, published_at = ?, payload_sha256 = ? WHERE id = ? AND status = 'uploading'`,
  );
  const moveLast = db.prepare(
    `UPDATE datasets SET last_release_id = ?, last_release_at = ?, updated_at = ? WHERE id = ?`,
  );
  const missing = db.prepare<[string, string, string], ReleaseRow>(
    `SELECT r.* FROM releases r WHERE r.dataset_id = ? AND r.status = 'published' AND r.published_at >= ?
       AND NOT EXISTS (SELECT 1 FROM grants g WHERE g.release_id = r.id AND g.account_id = ?)
     ORDER BY r.published_at DESC, r.id DESC`,
  );
  const grant = db.prepare<[string, string], GrantRow>(`SELECT * FROM grants WHERE release_id = ? AND account_id = ?`);
  const access = db.prepare<{ releaseId: string; accountId: string }, Pick<ReleaseRow, 'id' | 'dataset_id' | 'status' | 'payload_size' | 'payload_sha256' | 'blob_key' | 'published_at'> & { sub_status: SubscriptionStatus | null; g_recipient: string | null; g_header: string | null; g_created_at: string | null }>(
    DOWNLOAD_ACCESS_SQL,
  );

  const createTx = writeTx(db, (r: ReleaseRecord, effects: Effects) => {
    insert.run(r);
    apply(effects);
    return toRelease(byId.get(r.id)!);
  });

  const publishTx = writeTx(db, (input: PublishInput, effects: Effects): boolean => {
    if (publish.run(JSON.stringify(input.manifest), input.profile === undefined || input.profile === null ? null : JSON.stringify(input.profile), input.now, input.payloadSha256, input.releaseId).changes === 0) return false;
    const r = byId.get(input.releaseId)!;
    grants.put(input.grants);
    moveLast.run(r.id, input.now, input.now, r.dataset_id);
    apply(effects);
    return true;
  });

  const putGrantsTx = writeTx(db, (list: GrantRecord[], checks: ActivationCheck[], now: string, effects: Effects) => {
    grants.put(list);
    const activated = checks.filter((c) => grants.activateIfCovered(c, now)).map((c) => c.subscriptionId);
    apply(effects);
    return { activated };
  });

  return {
    create: async (r, effects) => createTx(r, effects),
    get: async (id) => {
      const row = byId.get(id);
      return row ? toRelease(row) : null;
    },
    setUploadId: async (id, uploadId) => {
      setUploadId.run(uploadId, id);
    },
    publish: async (input, effects) => publishTx(input, effects),
    listByDataset: async (datasetId, opts) => {
      const where = ['dataset_id = @datasetId'];
      if (opts.status) where.push('status = @status');
      if (opts.since) where.push('published_at >= @since');
      return db
        .prepare<Record<string, unknown>, ReleaseRow>(
          `SELECT * FROM releases WHERE ${where.join(' AND ')} ORDER BY coalesce(published_at, created_at) DESC, id DESC LIMIT @limit`,
        )
        .all({ datasetId, status: opts.status ?? null, since: opts.since ?? null, limit: opts.limit })
        .map(toRelease);
    },
    listMissingGrants: async (datasetId, accountId, since) => missing.all(datasetId, since ?? '', accountId).map(toRelease),
    getGrant: async (releaseId, accountId) => {
      const row = grant.get(releaseId, accountId);
      return row ? toGrant(row) : null;
    },
    downloadAccess: async (releaseId, accountId): Promise<DownloadAccess | null> => {
      const row = access.get({ releaseId, accountId });
      if (!row) return null;
      return {
        release: {
          id: row.id,
          datasetId: row.dataset_id,
          status: row.status,
          payloadSize: row.payload_size,
          payloadSha256: row.payload_sha256,
          blobKey: row.blob_key,
          publishedAt: row.published_at,
        },
        subscription: row.sub_status,
        grant: row.g_header === null ? null : { releaseId, accountId, recipient: row.g_recipient!, header: row.g_header, createdAt: row.g_created_at! },
      };
    },
    putGrants: async (list, checks, now, effects) => putGrantsTx(list, checks, now, effects),
  };
}
