/**
 * @module freshness/views
 * Freshness of datasets as the API shows it (catalog, marketplace, admin):
 * the checker's records plus the release times of each SLA window. A page
 * costs two indexed queries whatever its size, never one per dataset.
 */
import type { Freshness } from '@dme/core/protocol';
import type { HubDeps } from '../deps.js';
import type { DatasetRecord } from '../store/datasets.js';
import { freshnessView, scheduleOf, slaSince } from './compute.js';

export async function freshnessOf(deps: Pick<HubDeps, 'store' | 'clock'>, datasets: readonly DatasetRecord[]): Promise<Freshness[]> {
  if (datasets.length === 0) return [];
  const now = deps.clock.now();
  const requests: { datasetId: string; since: string }[] = [];
  for (const d of datasets) {
    const s = scheduleOf(d);
    if (s) requests.push({ datasetId: d.id, since: slaSince(s, now.getTime()) });
  }
  const [rows, times] = await Promise.all([
    deps.store.freshness.getMany(datasets.map((d) => d.id)),
    deps.store.freshness.releaseTimesMany(requests),
  ]);
  return datasets.map((d) => freshnessView(d, rows.get(d.id) ?? null, times.get(d.id) ?? [], now));
}
