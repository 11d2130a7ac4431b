/**
 * @module exchange/access
 * Lookups that double as authorization. A producer asking for a dataset,
 * release or subscription that is not theirs gets 404 NOT_FOUND, exactly as
 * for an id that does not exist, so ids of other producers never leak.
 * Also the history window: which published releases a subscriber's tier
 * entitles them to.
 */
import { historyCutoff } from '@dme/core/protocol';
import type { Tier } from '@dme/core/protocol';
import type { HubDeps } from '../deps.js';
import { HubError } from '../errors.js';
import type { DatasetRecord } from '../store/datasets.js';
import type { ReleaseRecord } from '../store/releases.js';
import type { SubscriptionRecord } from '../store/subscriptions.js';

export async function ownedDataset(deps: HubDeps, producerId: string, id: string): Promise<DatasetRecord> {
  const d = await deps.store.datasets.get(id);
  if (!d || d.producerId !== producerId) throw new HubError('NOT_FOUND', 'no such dataset');
  return d;
}

export async function ownedRelease(deps: HubDeps, producerId: string, id: string): Promise<ReleaseRecord> {
  const r = await deps.store.releases.get(id);
  if (!r || r.producerId !== producerId) throw new HubError('NOT_FOUND', 'no such release');
  return r;
}

export async function ownedSubscription(deps: HubDeps, producerId: string, id: string): Promise<SubscriptionRecord> {
  const s = await deps.store.subscriptions.get(id);
  if (!s || s.producerId !== producerId) throw new HubError('NOT_FOUND', 'no such subscription');
  return s;
}

/** Oldest publication time in the window of `tier` (ISO), or null for all history. */
export function windowStart(tier: Tier, now: Date): string | null {
  return historyCutoff(tier, now)?.toISOString() ?? null;
}

export function inWindow(release: Pick<ReleaseRecord, 'status' | 'publishedAt'>, since: string | null): boolean {
  return release.status === 'published' && (since === null || release.publishedAt! >= since);
}

/** Upper bound on releases considered for one subscriber's history (keeps requests bounded). */
export const HISTORY_LIMIT = 10_000;

/** Published releases of the dataset a subscriber of `tier` may receive, newest first. */
export async function historyReleases(deps: HubDeps, datasetId: string, tier: Tier, now: Date): Promise<ReleaseRecord[]> {
  const since = windowStart(tier, now);
  return deps.store.releases.listByDataset(datasetId, { status: 'published', ...(since ? { since } : {}), limit: HISTORY_LIMIT });
}

/** The consumer's account; its tier and registered recipient decide what it may be granted. */
export async function consumerAccount(deps: HubDeps, s: SubscriptionRecord) {
  const a = await deps.store.accounts.getById(s.consumerId);
  if (!a) throw new HubError('NOT_FOUND', 'subscriber account no longer exists');
  return a;
}
