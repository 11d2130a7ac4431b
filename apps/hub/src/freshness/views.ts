/**
 * @module freshness/views
 * Freshness of datasets as the API shows it: the checker's record plus the
 * release times of the SLA window, one indexed query per scheduled dataset.
 */
import type { Freshness } from '@dme/core/protocol';
import type { HubDeps } from '../deps.js';
import type { DatasetRecord } from '../store/datasets.js';
import { freshnessView, scheduleOf, slaSince } from './compute.js';

export async function freshnessOf(deps: Pick<HubDeps, 'store' | 'clock'>, datasets: readonly DatasetRecord[]): Promise<Freshness[]> {
  const now = deps.clock.now();
  const rows = await deps.store.freshness.getMany(datasets.map((d) => d.id));
  const out: Freshness[] = [];
  for (const d of datasets) {
    const s = scheduleOf(d);
    const times = s ? await deps.store.freshness.releaseTimes(d.id, slaSince(s, now.getTime())) : [];
    out.push(freshnessView(d, rows.get(d.id) ?? null, times, now));
  }
  return out;
}
