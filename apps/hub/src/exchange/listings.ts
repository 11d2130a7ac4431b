/**
 * @module exchange/listings
 * Catalog listings shared by the marketplace and the consumer catalog: a
 * published dataset with its provider, newest release and freshness (as of
 * the request clock). Provider lookups are cached per call, so a page costs
 * one query per distinct provider and per release, plus two for freshness.
 */
import type { Listing } from '@dme/core/protocol';
import type { HubDeps } from '../deps.js';
import type { DatasetRecord } from '../store/datasets.js';
import type { AccountRecord } from '../store/types.js';
import { freshnessOf } from '../freshness/views.js';
import { datasetView, providerView, releaseSummary } from './views.js';

export async function listingsOf(deps: HubDeps, datasets: DatasetRecord[]): Promise<Listing[]> {
  const providers = new Map<string, AccountRecord | null>();
  const freshness = await freshnessOf(deps, datasets);
  const out: Listing[] = [];
  for (const [i, d] of datasets.entries()) {
    if (!providers.has(d.producerId)) providers.set(d.producerId, await deps.store.accounts.getById(d.producerId));
    const p = providers.get(d.producerId);
    const last = d.lastReleaseId ? await deps.store.releases.get(d.lastReleaseId) : null;
    out.push({
      dataset: datasetView(d),
      provider: p ? providerView(p) : { id: d.producerId, displayName: '(deleted account)' },
      lastRelease: releaseSummary(last),
      freshness: freshness[i]!,
    });
  }
  return out;
}
