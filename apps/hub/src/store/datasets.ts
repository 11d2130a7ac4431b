/**
 * @module store/datasets
 * Storage interface of datasets. Ownership is part of every producer-side
 * write (`producerId`), so a producer can never touch another's dataset by
 * guessing its id: the store simply finds nothing.
 */
import type { DatasetStatus } from '@dme/core/protocol';
import type { Effects } from './ledger.js';

export interface DatasetRecord {
  id: string;
  producerId: string;
  slug: string;
  name: string;
  description: string;
  category: string;
  status: DatasetStatus;
  /** The descriptive rest of the listing (format, columns, interval …), as the protocol defines it. */
  details: Record<string, unknown>;
  publishedAt: string | null;
  lastReleaseId: string | null;
  lastReleaseAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The whole editable state after an update (the route merges and re-validates). */
export type DatasetChange = Pick<DatasetRecord, 'slug' | 'name' | 'description' | 'category' | 'status' | 'details' | 'publishedAt'>;

export interface PublicDatasetQuery {
  q?: string;
  category?: string;
  producerId?: string;
  /** Keyset: ids greater than this. */
  afterId?: string;
  limit: number;
}

export interface ProviderRecord {
  id: string;
  displayName: string;
  organization: string | null;
  datasetCount: number;
}

export interface DatasetStore {
  /** Throws StoreConflictError when the producer already has that slug. */
  create(dataset: DatasetRecord, effects: Effects): Promise<DatasetRecord>;
  get(id: string): Promise<DatasetRecord | null>;
  listByProducer(producerId: string, opts: { afterId?: string; limit: number }): Promise<DatasetRecord[]>;
  /**
   * Applies the change if the dataset is the producer's and still `expectedStatus`
   * (null: not found or changed meanwhile). Moving to ARCHIVED also cancels its
   * live subscriptions and deletes their grants. Throws StoreConflictError on a taken slug.
   */
  update(id: string, producerId: string, expectedStatus: DatasetStatus, change: DatasetChange, now: string, effects: Effects): Promise<DatasetRecord | null>;
  /** PUBLISHED datasets only, ordered by id. */
  listPublic(query: PublicDatasetQuery): Promise<DatasetRecord[]>;
  /** Producers with at least one PUBLISHED dataset. */
  listProviders(): Promise<ProviderRecord[]>;
}
