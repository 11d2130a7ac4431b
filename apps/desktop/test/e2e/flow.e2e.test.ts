/**
 * The whole exchange through the real UI: a producer and a consumer, each a
 * browser-mode desktop (agent + engine) in its own chromium, over a real hub.
 * The producer publishes a CSV; the consumer subscribes; the producer
 * approves; the consumer's Data screen fills by itself (pushed, no click)
 * and a notification appears; a second snapshot release replaces the table.
 * Then an incremental dataset (key e164) for a second consumer: its Data
 * screen pages and sorts, a second release upserts and extends the table
 * by itself, and the CSV export downloads the merged rows.
 * Saves a screenshot of every main screen under ./screenshots/.
 */
import { readFileSync, writeFileSync } from 'node:fs';
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
  // Transitions finished: a progress bar shows where it ends, not mid-way.
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** Release A of the incremental dataset: 60 numbers; release B updates 5 of them and adds 10. */
const numberRow = (i: number, status: string, day: string) => `+1303555${String(i).padStart(4, '0')},Peak Mobile,CO,DENVER,${status},2025-01-${day}T00:00:00Z`;
const INCREMENTAL_A = Array.from({ length: 60 }, (_, i) => numberRow(i, 'available', '01'));
const INCREMENTAL_B = [...Array.from({ length: 5 }, (_, i) => numberRow(i, 'ported', '02')), ...Array.from({ length: 10 }, (_, i) => numberRow(60 + i, 'available', '02'))];

/** The first row of the data table, cell by cell. */
async function firstRow(page: Page): Promise<string[]> {
  return page.getByRole('table', { name: /^Rows of / }).locator('tbody tr').first().locator('td').allInnerTexts();
}

/** The pager's "1–50 of 60" line. */
async function pager(page: Page): Promise<string> {
  return (await page.getByRole('navigation', { name: 'Pages' }).locator('span').innerText()).trim();
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

  it('an incremental dataset: paging, sorting, a release that upserts and extends the table by itself, CSV export', async () => {
    const csvA = join(world.dir, 'changes-a.csv');
    const csvB = join(world.dir, 'changes-b.csv');
    writeFileSync(csvA, `${HEADER}\n${INCREMENTAL_A.join('\n')}\n`);
    writeFileSync(csvB, `${HEADER}\n${INCREMENTAL_B.join('\n')}\n`);
    const p = producer.page;
    // A Starter account holds one subscription: a second consumer takes this one.
    const analyst = await world.desktop('analyst');
    const a = analyst.page;

    await goTo(p, 'Publish');
    await p.getByRole('button', { name: 'New dataset' }).click();
    await p.getByLabel('Dataset name').fill('Number changes');
    await p.getByLabel('Each release').selectOption('incremental');
    await p.getByLabel('Key columns (comma-separated)').fill('e164');
    await p.getByRole('button', { name: 'Create dataset' }).click();
    await p.getByRole('heading', { name: 'Publish to Number changes' }).waitFor({ timeout: WAIT });
    await p.getByLabel('Files to publish').setInputFiles(csvA);
    const history = p.getByRole('region', { name: 'Release history' });
    await history.getByRole('cell', { name: '60', exact: true }).waitFor({ timeout: WAIT });

    await a.getByRole('heading', { name: 'Sign in to DME' }).waitFor({ timeout: WAIT });
    await signUp(a, world.hub.url, { email: 'analyst@buyer.test', name: 'Analyst Co', producer: false, consumer: true });
    await a.getByRole('searchbox', { name: 'Search datasets' }).fill('changes');
    await a.getByRole('button', { name: 'Search' }).click();
    await a.getByRole('button', { name: /Number changes/ }).click();
    const detail = a.getByRole('region', { name: 'Dataset detail' });
    await detail.getByText('incremental on e164').waitFor({ timeout: WAIT });
    await detail.getByRole('button', { name: 'Subscribe' }).click();
    await detail.getByText('pending').waitFor({ timeout: WAIT });
    await goTo(a, 'Data');

    await goTo(p, 'Subscribers');
    await p.getByRole('button', { name: 'Approve Analyst Co for Number changes' }).click();

    // -- the first release arrives by itself; 60 rows page by 50 and sort by a click on the header
    await a.getByRole('region', { name: 'Notifications' }).getByText('Acme Telecom published Number changes: 60 records').waitFor({ timeout: WAIT });
    await expect.poll(() => pager(a), { timeout: WAIT }).toBe('1–50 of 60');
    await a.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => pager(a)).toBe('51–60 of 60');
    expect(await a.getByRole('table', { name: /^Rows of / }).locator('tbody tr').count()).toBe(10);
    await a.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(() => pager(a)).toBe('1–50 of 60');
    const sortE164 = a.getByRole('button', { name: 'Sort by e164' });
    await sortE164.click();
    await expect.poll(async () => (await firstRow(a))[0]).toBe('+13035550000');
    await sortE164.click();
    await expect.poll(async () => (await firstRow(a))[0]).toBe('+13035550059');
    expect(await a.getByRole('columnheader', { name: /e164/ }).getAttribute('aria-sort')).toBe('descending');
    await sortE164.click();
    await expect.poll(async () => (await firstRow(a))[0]).toBe('+13035550000');
    expect((await firstRow(a))[4]).toBe('available');

    // -- the second release updates 5 rows and adds 10; the open, sorted page follows without a click
    await goTo(p, 'Publish');
    await p.getByRole('region', { name: 'My datasets' }).getByRole('button', { name: /Number changes/ }).click();
    await p.getByRole('heading', { name: 'Publish to Number changes' }).waitFor({ timeout: WAIT });
    await p.getByLabel('Files to publish').setInputFiles(csvB);
    await a.getByRole('region', { name: 'Notifications' }).getByText('Acme Telecom published Number changes: 15 records').waitFor({ timeout: WAIT });
    await expect.poll(() => pager(a), { timeout: WAIT }).toBe('1–50 of 70');
    await expect.poll(async () => (await firstRow(a)).slice(0, 6), { timeout: WAIT }).toEqual(INCREMENTAL_B[0]!.split(','));
    await dismissToasts(a);
    await shot(a, '09-data-incremental');

    // -- CSV export downloads the merged table
    const [download] = await Promise.all([a.waitForEvent('download', { timeout: WAIT }), a.getByRole('button', { name: 'Export CSV' }).click()]);
    const lines = readFileSync(await download.path(), 'utf8').split(/\r?\n/).filter(Boolean);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    expect(lines[0]).toBe(HEADER);
    expect(lines).toHaveLength(71);
    const byKey = new Map(lines.slice(1).map((l) => [l.split(',')[0], l]));
    expect(byKey.get('+13035550000')).toBe(INCREMENTAL_B[0]);
    expect(byKey.get('+13035550069')).toBe(INCREMENTAL_B[14]);
    expect(byKey.get('+13035550059')).toBe(INCREMENTAL_A[59]);

    // -- the producer's tab kept working: each agent's token cookie is its own in the shared profile
    await p.reload();
    await p.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: WAIT });
  });
});
