/**
 * Freshness in the catalog: the marketplace list and item and the consumer
 * catalog carry each dataset's freshness as of the request clock, validated
 * by the response schemas, and it turns from on time to late once interval +
 * grace have passed. The page's release times come from one indexed query.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CatalogPageSchema, ListingPageSchema, ListingSchema } from '@dme/core/protocol';
import type { Freshness } from '@dme/core/protocol';
import { call } from '../../test/harness.js';
import { createDataset, makeExchangeHub, publish } from '../../test/exchange-fixture.js';
import type { ExchangeHub, Party } from '../../test/exchange-fixture.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();

describe('freshness in the catalog', () => {
  let hub: ExchangeHub;
  afterEach(async () => hub.done());

  /** Days pass in these tests; an API key outlives the 15-minute access token. */
  async function withKey(p: Party, scope: 'producer' | 'consumer'): Promise<Party> {
    const key = await call(hub, 'POST', '/v1/auth/api-keys', { token: p.token, body: { name: scope, scopes: [scope] } });
    expect(key.status).toBe(201);
    return { ...p, token: key.body.key as string };
  }

  /** Freshness of `ids` from all three catalog answers, each parsed by its schema; they must agree. */
  async function catalogFreshness(consumer: Party, ids: string[]): Promise<Map<string, Freshness>> {
    const list = await call(hub, 'GET', '/v1/marketplace/datasets?limit=50');
    expect(list.status).toBe(200);
    const page = ListingPageSchema.parse(list.body);
    const cat = await call(hub, 'GET', '/v1/consumer/catalog?limit=50', { token: consumer.token });
    expect(cat.status).toBe(200);
    const catalog = CatalogPageSchema.parse(cat.body);
    const out = new Map<string, Freshness>();
    for (const id of ids) {
      const one = await call(hub, 'GET', `/v1/marketplace/dataset/${id}`);
      expect(one.status).toBe(200);
      const f = ListingSchema.parse(one.body).freshness;
      expect(page.items.find((l) => l.dataset.id === id)?.freshness).toEqual(f);
      expect(catalog.items.find((l) => l.dataset.id === id)?.freshness).toEqual(f);
      const alone = await call(hub, 'GET', `/v1/freshness/${id}`);
      expect(alone.body).toEqual(f);
      out.set(id, f);
    }
    return out;
  }

  it('turns from on time to late after interval + grace, by the request clock', async () => {
    hub = await makeExchangeHub();
    const producer = await withKey(await hub.party('cat-fresh-p', ['DATA_PRODUCER']), 'producer');
    const consumer = await withKey(await hub.party('cat-fresh-c', ['DATA_CONSUMER']), 'consumer');
    const daily = await createDataset(hub, producer, 'cat-daily');
    const loose = await createDataset(hub, producer, 'cat-loose');
    const set = await call(hub, 'PUT', `/v1/producer/datasets/${daily}`, { token: producer.token, body: { expectedUpdateIntervalSeconds: 86_400, gracePeriodSeconds: 3_600 } });
    expect(set.status).toBe(200);
    expect((await publish(hub, producer, daily, new TextEncoder().encode('id\n1\n'), [])).status).toBe(200);
    const t0 = hub.clock.now().getTime();
    const due = iso(t0 + DAY + HOUR);

    hub.clock.advance(3600);
    let f = await catalogFreshness(consumer, [daily, loose]);
    expect(f.get(daily)).toMatchObject({ datasetId: daily, state: 'ON_TIME', score: 100, expectedUpdateIntervalSeconds: 86_400, gracePeriodSeconds: 3_600, lastReleaseAt: iso(t0), expectedBy: due, lateSince: null });
    expect(f.get(loose)).toMatchObject({ datasetId: loose, state: 'UNSCHEDULED', score: null, slaCompliance: null, expectedBy: null, lastReleaseAt: null });

    // One second before the deadline it is still on time; at it, late.
    hub.clock.advance(86_400 - 1);
    f = await catalogFreshness(consumer, [daily]);
    expect(f.get(daily)).toMatchObject({ state: 'ON_TIME', score: 100 });
    hub.clock.advance(1);
    f = await catalogFreshness(consumer, [daily]);
    expect(f.get(daily)).toMatchObject({ state: 'LATE', lateSince: due, expectedBy: due, score: 100 });

    // Half an interval more: the score has decayed to 100 · 2^(−1/2); a whole one more, to 50.
    hub.clock.advance(43_200);
    expect((await catalogFreshness(consumer, [daily])).get(daily)).toMatchObject({ state: 'LATE', score: 71 });
    // Two slots since publication have ended with their grace: the first saw the release, the second none.
    hub.clock.advance(43_200);
    f = await catalogFreshness(consumer, [daily]);
    expect(f.get(daily)).toMatchObject({ state: 'LATE', score: 50, intervals30d: { expected: 2, met: 1 }, slaCompliance: 0.5 });

    // A release brings it back on time, due one interval + grace after it.
    expect((await publish(hub, producer, daily, new TextEncoder().encode('id\n2\n'), [])).status).toBe(200);
    const t1 = hub.clock.now().getTime();
    f = await catalogFreshness(consumer, [daily]);
    expect(f.get(daily)).toMatchObject({ state: 'ON_TIME', score: 100, lastReleaseAt: iso(t1), expectedBy: iso(t1 + DAY + HOUR), lateSince: null });
  });

  it('reads the release times of a page in one query through the (dataset_id, status, published_at) index', async () => {
    hub = await makeExchangeHub();
    const producer = await hub.party('cat-batch-p', ['DATA_PRODUCER']);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await createDataset(hub, producer, `cat-batch-${i}`);
      for (let k = 0; k <= i; k++) {
        expect((await publish(hub, producer, id, new TextEncoder().encode(`id\n${k}\n`), [])).status).toBe(200);
        hub.clock.advance(60);
      }
      ids.push(id);
    }
    const since = iso(hub.clock.now().getTime() - DAY);
    const many = await hub.store.freshness.releaseTimesMany(ids.map((datasetId) => ({ datasetId, since })));
    for (const [i, id] of ids.entries()) {
      const one = await hub.store.freshness.releaseTimes(id, since);
      expect(one).toHaveLength(i + 1);
      expect(many.get(id)).toEqual(one);
    }
    // A later `since` for one dataset cuts only its list.
    const cut = await hub.store.freshness.releaseTimesMany([{ datasetId: ids[2]!, since: many.get(ids[2]!)![1]! }, { datasetId: ids[1]!, since }]);
    expect(cut.get(ids[2]!)).toEqual(many.get(ids[2]!)!.slice(1));
    expect(cut.get(ids[1]!)).toEqual(many.get(ids[1]!));
    expect(cut.has(ids[0]!)).toBe(false);

    const plan = hub.store.db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT r.dataset_id AS id, r.published_at AS t FROM json_each(?) AS j CROSS JOIN releases AS r
          WHERE r.dataset_id = json_extract(j.value, '$.datasetId') AND r.status = 'published' AND r.published_at >= json_extract(j.value, '$.since')
          ORDER BY j.key, r.published_at`,
      )
      .all('[]') as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/SEARCH r USING (COVERING )?INDEX releases_dataset \(dataset_id=\? AND status=\? AND published_at>\?\)/);
  });
});
