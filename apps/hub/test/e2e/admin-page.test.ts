/**
 * The admin web page in headless Chromium against a real hub on 127.0.0.1
 * (startHub: SQLite in a temp dir, local blobs, its webhook worker and
 * freshness scheduler running): sign-in, every page (screenshot of each in
 * ./screenshots), changing a tier (checked through the API), re-enabling a
 * disabled webhook, verifying the audit chain; a non-admin is refused by the
 * page and by the API it would call. Every wait is bounded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub } from '../../src/node/hub.js';
import type { RunningHub } from '../../src/node/hub.js';
import { startReceiver } from '../webhook-receiver.js';
import type { Receiver } from '../webhook-receiver.js';
import { json, seedHub } from './seed.js';
import type { Seeded } from './seed.js';

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const WAIT = { timeout: 10_000 };
const ADMIN = { email: 'admin@example.com', password: 'admin password 0123' };

let dir: string;
let running: RunningHub;
let receiver: Receiver;
let seeded: Seeded;
let context: BrowserContext;
const pageErrors: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dme-admin-e2e-'));
  receiver = await startReceiver([500]);
  running = await startHub(
    { host: '127.0.0.1', port: 0, dataDir: join(dir, 'hub'), publicUrl: undefined, blob: 'local', passwordIterations: 1000, devMode: true, firstAdmin: ADMIN },
    {},
  );
  seeded = await seedHub(running, ADMIN, receiver.url);
  context = await chromium.launchPersistentContext(join(dir, 'chromium'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1360, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await running?.close();
  await receiver?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function newPage(): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[13]/.test(m.text())) pageErrors.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => void d.accept());
  return page;
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${running.url}/admin`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
}

async function visit(page: Page, name: string, ready: string): Promise<void> {
  await page.click(`#nav a[href="#${name}"]`);
  await page.waitForSelector(`section[data-page=${name}] >> ${ready}`, WAIT);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

describe('admin page in Chromium', () => {
  it('serves the page with a strict CSP, no framing and no caching of the HTML', async () => {
    const res = await fetch(`${running.url}/admin`);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.text()).not.toMatch(/<script>|<style>|style=/);
  });

  it('an admin signs in, visits every page, changes a tier, re-enables a webhook and verifies the audit chain', async () => {
    const page = await newPage();
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.waitForSelector(`tr[data-account="${seeded.producer.id}"]`, WAIT);
    await page.screenshot({ path: join(SHOTS, 'accounts.png'), fullPage: true });

    // Search narrows the list; then change the producer's tier and check it through the API.
    await page.fill('#acc-q', 'telco');
    await page.click('section[data-page=accounts] form button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-account]').length === 1, undefined, WAIT);
    const row = page.locator(`tr[data-account="${seeded.producer.id}"]`);
    await row.locator('select.tier-select').selectOption('PROFESSIONAL');
    await row.locator('button.save-tier').click();
    await page.waitForSelector('.msg.ok >> text=is now PROFESSIONAL', WAIT);
    const adminToken = (await json(running, 'POST', '/v1/auth/login', ADMIN)).body.accessToken as string;
    expect((await json(running, 'GET', `/v1/admin/accounts/${seeded.producer.id}`, undefined, adminToken)).body.account.tier).toBe('PROFESSIONAL');
    await page.screenshot({ path: join(SHOTS, 'accounts-tier-changed.png'), fullPage: true });

    await visit(page, 'datasets', `tr[data-dataset="${seeded.datasets.late}"] >> text=late`);
    await visit(page, 'subscriptions', 'span.badge:has-text("pending")');

    await page.click('#nav a[href="#webhooks"]');
    const hook = page.locator(`tr[data-webhook="${seeded.webhookId}"]`);
    await hook.locator('text=disabled').first().waitFor(WAIT);
    await page.screenshot({ path: join(SHOTS, 'webhooks.png'), fullPage: true });
    await hook.locator('button.enable-webhook').click();
    await page.waitForSelector('.msg.ok >> text=re-enabled', WAIT);
    await hook.locator('text=enabled').first().waitFor(WAIT);
    expect(await hook.locator('button.enable-webhook').count()).toBe(0);
    expect((await running.hub.store.webhooks.getByAccount(seeded.consumer.id))!).toMatchObject({ enabled: true, consecutiveFailures: 0, disabledReason: null });
    await page.screenshot({ path: join(SHOTS, 'webhooks-reenabled.png'), fullPage: true });

    await visit(page, 'usage', 'svg.chart rect.bar');
    expect(await page.locator('section[data-page=usage] svg.chart rect.bar').count()).toBeGreaterThanOrEqual(2);
    await visit(page, 'freshness', 'svg.chart rect.bar2');
    expect(await page.locator(`section[data-page=freshness] tr[data-dataset="${seeded.datasets.late}"] .badge`).textContent()).toBe('late');

    await page.click('#nav a[href="#audit"]');
    await page.waitForSelector('section[data-page=audit] >> text=admin.account.tier', WAIT);
    await page.click('#audit-verify');
    await page.waitForSelector('#audit-verdict >> text=Chain intact', WAIT);
    await page.fill('#aud-action', 'admin.webhook');
    await page.click('section[data-page=audit] form button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('section[data-page=audit] tbody tr').length === 1, undefined, WAIT);
    await page.screenshot({ path: join(SHOTS, 'audit.png'), fullPage: true });

    // An expired access token is refreshed (single-use refresh token rotated) and the page carries on.
    const before = await page.evaluate(() => {
      const saved = JSON.parse(sessionStorage.getItem('dme.admin.session')!) as { accessTokenExpiresAt: string; refreshToken: string };
      sessionStorage.setItem('dme.admin.session', JSON.stringify({ ...saved, accessTokenExpiresAt: new Date(0).toISOString() }));
      return saved.refreshToken;
    });
    await page.reload();
    await page.click('#nav a[href="#subscriptions"]');
    await page.waitForSelector('section[data-page=subscriptions] >> span.badge:has-text("pending")', WAIT);
    const after = await page.evaluate(() => JSON.parse(sessionStorage.getItem('dme.admin.session')!) as { accessTokenExpiresAt: string; refreshToken: string });
    expect(after.refreshToken).not.toBe(before);
    expect(Date.parse(after.accessTokenExpiresAt)).toBeGreaterThan(Date.now());

    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('a non-admin who signs in sees "not an administrator" and nothing else; the API refuses the page’s calls', async () => {
    const page = await newPage();
    await signIn(page, seeded.consumer.email, `correct horse acme`);
    await page.waitForSelector('text=Not an administrator', WAIT).catch(async (e: unknown) => {
      throw new Error(`${String(e)}\n${await page.locator('main').innerText()}`);
    });
    expect(await page.isVisible('#nav')).toBe(false);
    expect(await page.locator('table').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'not-an-administrator.png'), fullPage: true });
    // The page kept no session; going to an admin page asks for a sign-in again.
    await page.goto(`${running.url}/admin#webhooks`);
    await page.waitForSelector('#email', WAIT);
    expect(await page.locator('table').count()).toBe(0);
    // Even with a valid token, every admin call the page makes is refused.
    const statuses = await page.evaluate(async (cred) => {
      const login = await fetch('/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(cred) });
      const { accessToken } = (await login.json()) as { accessToken: string };
      const out: number[] = [];
      for (const p of ['/v1/admin/accounts', '/v1/admin/webhooks', '/v1/admin/audit/verify', '/v1/admin/usage']) {
        out.push((await fetch(p, { headers: { authorization: `Bearer ${accessToken}` } })).status);
      }
      return out;
    }, { email: seeded.consumer.email, password: 'correct horse acme' });
    expect(statuses).toEqual([403, 403, 403, 403]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
