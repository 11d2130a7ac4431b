/**
 * @module store/sqlite/datasets
 * DatasetStore on better-sqlite3. Every producer-side statement filters on
 * producer_id as well as id: ownership is enforced by the query itself.
 */
import type { Database } from 'better-sqlite3';
import { writeTx } from './tx.js';
import { StoreConflictError } from '../types.js';
import type { DatasetStatus } from '@dme/core/protocol';
import type { DatasetChange, DatasetRecord, DatasetStore, ProviderRecord } from '../datasets.js';
import type { Effects } from '../ledger.js';
import { effectsWriter } from './ledger.js';
import { isUniqueViolation } from './rows.js';

interface DatasetRow {
  id: string;
  producer_id: string;
  slug: string;
  name: string;
  description: string;
  category: string;
  status: DatasetRecord['status'];
  details: string;
  published_at: string | null;
  last_release_id: string | null;
  last_release_at: string | null;
  created_at: string;
  updated_at: string;
}

export function toDataset(r: DatasetRow): DatasetRecord {
  return {
    id: r.id,
    producerId: r.producer_id,
    slug: r.slug,
    name: r.name,
    description: r.description,
    category: r.category,
    status: r.status,
    details: JSON.parse(r.details) as Record<string, unknown>,
    publishedAt: r.published_at,
    lastReleaseId: r.last_release_id,
    lastReleaseAt: r.last_release_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** `%` and `_` in user text match literally. */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

export function sqliteDatasets(db: Database): DatasetStore {
  const apply = effectsWriter(db);
  const byId = db.prepare<[string], DatasetRow>(`SELECT * FROM datasets WHERE id = ?`);
  const insert = db.prepare(
    `INSERT INTO datasets (id, producer_id, slug, name, description, category, status, details, published_at, created_at, updated_at)
     VALUES (@id, @producerId, @slug, @name, @description, @category, @status, @details, @publishedAt, @createdAt, @updatedAt)`,
  );
  const byProducer = db.prepare<[string, string, number], DatasetRow>(
    `SELECT * FROM datasets WHERE producer_id = ? AND id > ? ORDER BY id LIMIT ?`,
  );
  const update = db.prepare(
    `UPDATE datasets SET slug = @slug, name = @name, description = @description, category = @category, status = @status,
       details = @details, published_at = @publishedAt, updated_at = @now
     WHERE id = @id AND producer_id = @producerId AND status = @expectedStatus`,
  );
  const revokeGrants = db.prepare(
    `DELETE FROM grants WHERE account_id <> ? AND release_id IN (SELECT id FROM releases WHERE dataset_id = ?)`,
  );
  const cancelSubs = db.prepare(
    `UPDATE subscriptions SET status = 'cancelled', decided_by = ?, updated_at = ?
     WHERE dataset_id = ? AND status IN ('pending', 'approved', 'active', 'suspended')`,
  );
  const providers = db.prepare<[], { id: string; display_name: string; organization: string | null; n: number }>(
    `SELECT a.id, a.display_name, a.organization, count(*) AS n FROM datasets d JOIN accounts a ON a.id = d.producer_id
     WHERE d.status = 'PUBLISHED' GROUP BY a.id ORDER BY a.display_name, a.id`,
  );

  const createTx = writeTx(db, (d: DatasetRecord, effects: Effects) => {
    try {
      insert.run({ ...d, details: JSON.stringify(d.details) });
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreConflictError(`you already have a dataset with slug "${d.slug}"`);
      throw err;
    }
    apply(effects);
    return toDataset(byId.get(d.id)!);
  });

  const updateTx = writeTx(db, 
    (id: string, producerId: string, expectedStatus: DatasetStatus, change: DatasetChange, now: string, effects: Effects) => {
      let changed: number;
      try {
        changed = update.run({ ...change, details: JSON.stringify(change.details), id, producerId, expectedStatus, now }).changes;
      } catch (err) {
        if (isUniqueViolation(err)) throw new StoreConflictError(`you already have a dataset with slug "${change.slug}"`);
        throw err;
      }
      if (changed === 0) return null;
      if (change.status === 'ARCHIVED' && expectedStatus !== 'ARCHIVED') {
        // Cancelled subscribers keep what they downloaded; they get no new keys.
        revokeGrants.run(producerId, id);
        cancelSubs.run(producerId, now, id);
      }
      apply(effects);
      return toDataset(byId.get(id)!);
    },
  );

  return {
    create: async (d, effects) => createTx(d, effects),
    get: async (id) => {
      const row = byId.get(id);
      return row ? toDataset(row) : null;
    },
    listByProducer: async (producerId, opts) => byProducer.all(producerId, opts.afterId ?? '', opts.limit).map(toDataset),
    update: async (id, producerId, expectedStatus, change, now, effects) => updateTx(id, producerId, expectedStatus, change, now, effects),
    listPublic: async (query) => {
      const where = [`status = 'PUBLISHED'`, `id > @afterId`];
      if (query.q) where.push(`(name LIKE @q ESCAPE '\\' OR description LIKE @q ESCAPE '\\' OR slug LIKE @q ESCAPE '\\')`);
      if (query.category) where.push(`category = @category`);
      if (query.producerId) where.push(`producer_id = @producerId`);
      // The clauses are fixed strings chosen above; user text only travels as parameters.
      const rows = db
        .prepare<Record<string, unknown>, DatasetRow>(`SELECT * FROM datasets WHERE ${where.join(' AND ')} ORDER BY id LIMIT @limit`)
        .all({
          afterId: query.afterId ?? '',
          q: query.q ? likePattern(query.q) : null,
          category: query.category ?? null,
          producerId: query.producerId ?? null,
          limit: query.limit,
        });
      return rows.map(toDataset);
    },
    listProviders: async () =>
      providers.all().map((r): ProviderRecord => ({ id: r.id, displayName: r.display_name, organization: r.organization, datasetCount: r.n })),
  };
}
