/**
 * The whole exchange through the real UI: a producer and a consumer, each a
 * browser-mode desktop (agent + engine) in its own chromium, over a real hub.
 * The producer publishes a CSV; the consumer subscribes; the producer
 * approves; the consumer's Data screen fills by itself (pushed, no click)
 * and a notification appears; a second snapshot release replaces the table.
 * Saves a screenshot of every main screen under ./screenshots/.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { goTo, signUp, startWorld } from './harness.js';
import type { Desktop, World } from './harness.js';

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const WAIT = 30_000;

const HEADER = 'e164,carrier,state,rate_center,status,updated_at';
const RELEASE_1 = [
  '+12025550101,Acme Wireless,DC,WASHINGTON,available,2025-01-01T00:00:00Z',
  '+13125550102,Lakeside Tel,IL,CHICAGO,assigned,2025-01-01T00:00:00Z',
  '+14155550103,Bay Mobile,CA,SAN FRANCISCO,available,2025-01-01T00:00:00Z',
];
const RELEASE_2 = [
  '+16175550201,Harbor Cell,MA,BOSTON,available,2025-01-02T00:00:00Z',
  '+17185550202,Borough Net,NY,BROOKLYN,ported,2025-01-02T00:00:00Z',
];

/** Closes the notifications so they do not cover the screen in a screenshot. */
async function dismissToasts(page: Page) {
  const close = page.getByRole('button', { name: 'Dismiss notification' });
  for (let i = await close.count(); i > 0; i--) await close.first().click();
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** The cells of the data table's first column, as the consumer sees them. */
async function firstColumn(page: Page): Promise<string[]> {
  const table = page.getByRole('table', { name: /^Rows of / });
  return table.locator('tbody tr td:first-child').allInnerTexts();
}

describe('desktop e2e: publish → subscribe → approve → pushed import', () => {
  let world: World;
  let producer: Desktop;
  let consumer: Desktop;

  beforeAll(async () => {
    world = await startWorld();
    producer = await world.desktop('producer');
    consumer = await world.desktop('consumer');
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('runs the whole flow through the UI', async () => {
    const csv1 = join(world.dir, 'us-numbers-1.csv');
    const csv2 = join(world.dir, 'us-numbers-2.csv');
    writeFileSync(csv1, `${HEADER}\n${RELEASE_1.join('\n')}\n`);
    writeFileSync(csv2, `${HEADER}\n${RELEASE_2.join('\n')}\n`);
    const p = producer.page;
    const c = consumer.page;

    // -- the producer signs up and publishes a first release
    await p.getByRole('heading', { name: 'Sign in to DME' }).waitFor({ timeout: WAIT });
    await p.getByRole('tab', { name: 'Sign up' }).click();
    await shot(p, '01-sign-up');
    await signUp(p, world.hub.url, { email: 'ops@acme.test', name: 'Acme Telecom', producer: true, consumer: false });
    await goTo(p, 'Publish');
    await p.getByRole('button', { name: 'New dataset' }).click();
    await p.getByLabel('Dataset name').fill('US numbers');
    await p.getByLabel('Description').fill('Phone-number inventory, replaced daily.');
    await p.getByLabel('Update interval').selectOption({ label: 'Daily' });
    await p.getByRole('button', { name: 'Create dataset' }).click();
    await p.getByRole('heading', { name: 'Publish to US numbers' }).waitFor({ timeout: WAIT });
    await p.getByLabel('Files to publish').setInputFiles(csv1);
    const history = p.getByRole('region', { name: 'Release history' });
    await history.getByRole('cell', { name: '3', exact: true }).waitFor({ timeout: WAIT });
    await shot(p, '02-publish');

    // -- the consumer signs up, finds the dataset and asks to subscribe
    await signUp(c, world.hub.url, { email: 'data@buyer.test', name: 'Buyer Inc', producer: false, consumer: true });
    await c.getByRole('searchbox', { name: 'Search datasets' }).fill('numbers');
    await c.getByRole('button', { name: 'Search' }).click();
    await c.getByRole('button', { name: /US numbers/ }).click();
    const detail = c.getByRole('region', { name: 'Dataset detail' });
    await detail.getByText('Acme Telecom').waitFor({ timeout: WAIT });
    await detail.getByText('every day').waitFor();
    await detail.getByRole('button', { name: 'Subscribe' }).click();
    await detail.getByText('pending').waitFor({ timeout: WAIT });
    await shot(c, '03-catalog');

    // The consumer waits on the Data screen: what follows must arrive without a click.
    await goTo(c, 'Data');
    expect(await c.getByRole('table', { name: /^Rows of / }).count()).toBe(0);

    // -- the producer approves
    await goTo(p, 'Subscribers');
    const approve = p.getByRole('button', { name: 'Approve Buyer Inc for US numbers' });
    await approve.waitFor({ timeout: WAIT });
    await shot(p, '04-subscribers');
    await approve.click();
    await p.getByRole('table', { name: 'Active subscribers' }).getByText('Buyer Inc').waitFor({ timeout: WAIT });

    // -- the consumer's table fills by itself, and a notification says so
    const toast = c.getByRole('region', { name: 'Notifications' }).getByText('Acme Telecom published US numbers: 3 records');
    await toast.waitFor({ timeout: WAIT });
    await c.getByRole('table', { name: /^Rows of / }).waitFor({ timeout: WAIT });
    expect((await firstColumn(c)).sort()).toEqual(RELEASE_1.map((r) => r.split(',')[0]).sort());
    await expect.poll(() => c.getByRole('table', { name: /^Rows of / }).getByRole('cell', { name: 'Lakeside Tel' }).count()).toBe(1);
    await shot(c, '05-data');

    // -- a second snapshot release replaces the consumer's table
    await goTo(p, 'Publish');
    await p.getByLabel('Files to publish').setInputFiles(csv2);
    await history.getByRole('cell', { name: '2', exact: true }).waitFor({ timeout: WAIT });
    await c.getByRole('region', { name: 'Notifications' }).getByText('Acme Telecom published US numbers: 2 records').waitFor({ timeout: WAIT });
    await expect.poll(async () => (await firstColumn(c)).sort(), { timeout: WAIT }).toEqual(RELEASE_2.map((r) => r.split(',')[0]).sort());
    await shot(c, '06-data-second-release');

    // The SQL box reads the same library.
    await c.getByLabel('Query (read-only)').fill('SELECT count(*) AS n FROM sqlite_master');
    await c.getByRole('button', { name: 'Run query' }).click();
    await c.getByRole('table', { name: 'Query result' }).waitFor({ timeout: WAIT });

    // -- the remaining screens, for the README
    await goTo(c, 'Subscriptions');
    const subs = c.getByRole('table', { name: 'My subscriptions' });
    await subs.getByText('active').waitFor({ timeout: WAIT });
    await subs.getByRole('cell', { name: '2', exact: true }).waitFor({ timeout: WAIT });
    await dismissToasts(c);
    await shot(c, '07-subscriptions');
    await goTo(c, 'Settings');
    await c.getByLabel('Encryption key fingerprint').waitFor({ timeout: WAIT });
    await shot(c, '08-settings');
  });
});
