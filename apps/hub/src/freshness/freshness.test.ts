/**
 * Freshness: the score and SLA formulas on a constructed release history,
 * and the checker's transitions through the real app and store with the
 * test clock: on time → late (DATA_LATE once per missed interval) → a
 * release arrives → DATA_RESUMED.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FreshnessSchema } from '@dme/core/protocol';
import type { DatasetRecord } from '../store/datasets.js';
import { call } from '../../test/harness.js';
import { createDataset, makeExchangeHub, publish } from '../../test/exchange-fixture.js';
import type { ExchangeHub } from '../../test/exchange-fixture.js';
import { runFreshnessCheck } from './check.js';
import { freshnessView, missedIntervals, score } from './compute.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const P = Date.parse('2025-01-01T00:00:00.000Z');
const iso = (t: number) => new Date(t).toISOString();

function dataset(over: Partial<DatasetRecord> = {}): DatasetRecord {
  return {
    id: 'ds_1',
    producerId: 'acc_p',
    slug: 'daily',
    name: 'Daily',
    description: '',
    category: 'x',
    status: 'PUBLISHED',
    details: { expectedUpdateIntervalSeconds: 86_400, gracePeriodSeconds: 3_600 },
    publishedAt: iso(P),
    lastReleaseId: null,
    lastReleaseAt: null,
    createdAt: iso(P),
    updatedAt: iso(P),
    ...over,
  };
}

describe('freshness figures', () => {
  // Daily releases at 02:00 (outside the previous day's 1 h grace), except on days 15, 20 and 25.
  const missing = new Set([15, 20, 25]);
  const times: string[] = [];
  for (let k = 0; k < 40; k++) if (!missing.has(k)) times.push(iso(P + k * DAY + 2 * HOUR));
  const last = times.at(-1)!;

  it('counts the 30 daily slots whose deadline fell in the last 30 days: 27 met, compliance 0.9', () => {
    const f = freshnessView(dataset({ lastReleaseAt: last }), null, times, new Date(P + 40 * DAY));
    expect(FreshnessSchema.parse(f)).toEqual(f);
    expect(f.intervals30d).toEqual({ expected: 30, met: 27 });
    expect(f.slaCompliance).toBeCloseTo(0.9, 10);
    expect(f.state).toBe('ON_TIME');
    expect(f.score).toBe(100);
    expect(f.expectedBy).toBe(iso(P + 40 * DAY + 3 * HOUR));
  });

  it('scores 100 until due, then halves per interval of lateness', () => {
    const s = { intervalMs: DAY, graceMs: HOUR };
    const base = P;
    expect(score(base, s, P + DAY + HOUR - 1)).toBe(100);
    expect(score(base, s, P + DAY + HOUR + 12 * HOUR)).toBe(71);
    expect(score(base, s, P + 2 * DAY + HOUR)).toBe(50);
    expect(score(base, s, P + 4 * DAY + HOUR)).toBe(13);
    expect(missedIntervals(base, s, P + DAY + HOUR - 1)).toBe(0);
    expect(missedIntervals(base, s, P + DAY + HOUR)).toBe(1);
    expect(missedIntervals(base, s, P + 3 * DAY + 2 * HOUR)).toBe(3);
    const late = freshnessView(dataset({ lastReleaseAt: last }), null, times, new Date(Date.parse(last) + 2 * DAY + HOUR));
    expect(late).toMatchObject({ state: 'LATE', score: 50, lateSince: iso(Date.parse(last) + DAY + HOUR) });
  });

  it('reports an unscheduled dataset without score or SLA', () => {
    const f = freshnessView(dataset({ details: { gracePeriodSeconds: 0 } }), null, [], new Date(P + DAY));
    expect(f).toMatchObject({ state: 'UNSCHEDULED', score: null, slaCompliance: null, expectedBy: null });
  });
});

describe('freshness checker', () => {
  let hub: ExchangeHub;
  afterEach(async () => hub.done());

  async function freshnessEvents() {
    const rows = hub.store.db.prepare(`SELECT type, dataset_id, account_id, payload FROM events WHERE type IN ('DATA_LATE', 'DATA_RESUMED') ORDER BY id`).all() as { type: string; dataset_id: string; account_id: string | null; payload: string }[];
    return rows.map((r) => ({ type: r.type, datasetId: r.dataset_id, accountId: r.account_id, ...(JSON.parse(r.payload) as Record<string, unknown>) }));
  }

  it('goes on time → late (DATA_LATE once per missed interval) → release → DATA_RESUMED', async () => {
    hub = await makeExchangeHub();
    const producer = await hub.party('fresh-p', ['DATA_PRODUCER']);
    const ds = await createDataset(hub, producer, 'fresh');
    const set = await call(hub, 'PUT', `/v1/producer/datasets/${ds}`, { token: producer.token, body: { expectedUpdateIntervalSeconds: 86_400, gracePeriodSeconds: 3_600 } });
    expect(set.status).toBe(200);
    // Days pass in this test; an API key outlives the 15-minute access token.
    const key = await call(hub, 'POST', '/v1/auth/api-keys', { token: producer.token, body: { name: 'cron', scopes: ['producer'] } });
    const p = { ...producer, token: key.body.key as string };
    const first = await publish(hub, p, ds, new TextEncoder().encode('id\n1\n'), []);
    expect(first.status).toBe(200);
    const t0 = hub.clock.now().getTime();

    hub.clock.advance(3600);
    expect(await runFreshnessCheck(hub.deps)).toEqual({ checked: 1, late: 0, resumed: 0 });
    expect(await freshnessEvents()).toEqual([]);

    // 1 day + 1 h grace after the release: due. One DATA_LATE, not repeated by later checks.
    hub.clock.advance(86_400 + 1);
    expect(await runFreshnessCheck(hub.deps)).toEqual({ checked: 1, late: 1, resumed: 0 });
    hub.clock.advance(600);
    expect(await runFreshnessCheck(hub.deps)).toEqual({ checked: 1, late: 0, resumed: 0 });
    const lateView = await call(hub, 'GET', `/v1/freshness/${ds}`);
    expect(lateView.status).toBe(200);
    expect(lateView.body).toMatchObject({ state: 'LATE', lateSince: iso(t0 + DAY + HOUR), expectedBy: iso(t0 + DAY + HOUR) });

    // The next missed interval: a second DATA_LATE.
    hub.clock.advance(86_400);
    expect((await runFreshnessCheck(hub.deps)).late).toBe(1);

    hub.clock.advance(60);
    const second = await publish(hub, p, ds, new TextEncoder().encode('id\n2\n'), []);
    expect(second.status).toBe(200);
    expect(await runFreshnessCheck(hub.deps)).toEqual({ checked: 1, late: 0, resumed: 1 });
    expect(await runFreshnessCheck(hub.deps)).toEqual({ checked: 1, late: 0, resumed: 0 });

    const lastRelease = (await hub.store.datasets.get(ds))!.lastReleaseAt;
    expect(await freshnessEvents()).toEqual([
      { type: 'DATA_LATE', datasetId: ds, accountId: null, producerId: producer.id, expectedBy: iso(t0 + DAY + HOUR), lastReleaseAt: iso(t0) },
      { type: 'DATA_LATE', datasetId: ds, accountId: null, producerId: producer.id, expectedBy: iso(t0 + 2 * DAY + HOUR), lastReleaseAt: iso(t0) },
      { type: 'DATA_RESUMED', datasetId: ds, accountId: null, producerId: producer.id, expectedBy: iso(t0 + DAY + HOUR), lastReleaseAt: lastRelease },
    ]);
    const onTime = await call(hub, 'GET', `/v1/freshness/${ds}`);
    expect(onTime.body).toMatchObject({ state: 'ON_TIME', score: 100, lastReleaseAt: lastRelease, lateSince: null });
  });
});
