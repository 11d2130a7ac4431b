/**
 * @module freshness/check
 * `runFreshnessCheck(deps)`: one pass of the freshness scheduler, callable
 * from a Node timer (freshness/scheduler.ts) and a Workers cron alike. For
 * every PUBLISHED dataset with an expected update interval:
 *   - a missed interval not yet announced → one DATA_LATE (once per missed
 *     interval, never repeated by later checks);
 *   - LATE and a newer release has arrived since → DATA_RESUMED, ON_TIME.
 * Resumption is detected here, on the next check, rather than hooked into
 * release publication: the publish path stays untouched and a crash between
 * publishing and announcing cannot lose the event; the cost is a delay of
 * at most one check period.
 *
 * Events are dataset-scoped (account_id NULL, like DATA_PUBLISHED): the
 * producer and the dataset's subscribers receive them. Each is written in
 * the same transaction as the state change that causes it.
 */
import type { HubDeps } from '../deps.js';
import type { DatasetRecord } from '../store/datasets.js';
import type { FreshnessRecord } from '../store/freshness.js';
import type { NewEvent } from '../store/ledger.js';
import { baseOf, dueAt, missedIntervals, scheduleOf } from './compute.js';

const PAGE = 500;

export interface CheckSummary {
  checked: number;
  late: number;
  resumed: number;
}

function freshnessEvent(type: 'DATA_LATE' | 'DATA_RESUMED', d: DatasetRecord, expectedBy: string, lastReleaseAt: string | null, now: string): NewEvent {
  return { type, datasetId: d.id, accountId: null, createdAt: now, payload: { datasetId: d.id, producerId: d.producerId, expectedBy, lastReleaseAt } };
}

/** Applies at most one transition to `d`; returns which. */
async function checkOne(deps: Pick<HubDeps, 'store'>, d: DatasetRecord, row: FreshnessRecord | null, now: Date): Promise<'late' | 'resumed' | null> {
  const s = scheduleOf(d);
  if (!s) return null;
  const t = now.getTime();
  const iso = now.toISOString();
  const expected = row && { state: row.state, missedIntervals: row.missedIntervals, lastReleaseAt: row.lastReleaseAt };
  if (row?.state === 'LATE' && row.lastReleaseAt !== d.lastReleaseAt) {
    const next: FreshnessRecord = { datasetId: d.id, state: 'ON_TIME', lateSince: null, missedIntervals: 0, lastReleaseAt: d.lastReleaseAt, updatedAt: iso };
    const ok = await deps.store.freshness.transition(expected, next, [freshnessEvent('DATA_RESUMED', d, row.lateSince ?? iso, d.lastReleaseAt, iso)]);
    return ok ? 'resumed' : null;
  }
  const base = baseOf(d);
  const missed = missedIntervals(base, s, t);
  const announced = row?.state === 'LATE' ? row.missedIntervals : 0;
  if (missed <= announced) return null;
  const next: FreshnessRecord = {
    datasetId: d.id,
    state: 'LATE',
    lateSince: row?.state === 'LATE' ? row.lateSince : new Date(dueAt(base, s, 1)).toISOString(),
    missedIntervals: missed,
    lastReleaseAt: d.lastReleaseAt,
    updatedAt: iso,
  };
  const event = freshnessEvent('DATA_LATE', d, new Date(dueAt(base, s, missed)).toISOString(), d.lastReleaseAt, iso);
  return (await deps.store.freshness.transition(expected, next, [event])) ? 'late' : null;
}

export async function runFreshnessCheck(deps: Pick<HubDeps, 'store' | 'clock'>): Promise<CheckSummary> {
  const now = deps.clock.now();
  const summary: CheckSummary = { checked: 0, late: 0, resumed: 0 };
  let after = '';
  for (;;) {
    const page = await deps.store.freshness.listScheduled(after, PAGE);
    if (page.length === 0) break;
    const rows = await deps.store.freshness.getMany(page.map((d) => d.id));
    for (const d of page) {
      summary.checked++;
      const r = await checkOne(deps, d, rows.get(d.id) ?? null, now);
      if (r) summary[r]++;
    }
    after = page.at(-1)!.id;
    if (page.length < PAGE) break;
  }
  return summary;
}
