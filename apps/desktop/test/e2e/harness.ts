/**
 * E2E harness: a real hub on 127.0.0.1 (port 0, temp data dir), browser-mode
 * desktops (the agent hosting the engine, each with its own DME_HOME and the
 * keychain off), each driven by its own tab of ONE headless Debian chromium
 * profile through playwright-core. Sharing the profile is deliberate: both
 * agents sit on 127.0.0.1 and cookies do not separate by port, so this checks
 * that each agent's token cookie (named per port) leaves the other's alone.
 * Everything lives under one temp dir that `stop()` removes.
 */
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { startHub } from '../../../hub/src/node/hub.js';
import type { RunningHub } from '../../../hub/src/node/hub.js';
import { startAgent } from '../../src/agent/server.js';
import { createDesktopEngine } from '../../src/engine/index.js';
import { settleWithin } from './settle.js';

const RENDERER_DIR = fileURLToPath(new URL('../../out/renderer/', import.meta.url));

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Desktop {
  name: string;
  home: string;
  url: string;
  page: Page;
  close(): Promise<void>;
}

export interface World {
  dir: string;
  hub: RunningHub;
  desktops: Desktop[];
  desktop(name: string): Promise<Desktop>;
  /** The one browser profile every desktop's tab lives in. */
  context: BrowserContext;
  stop(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'dme-e2e-'));
  const hub = await startHub(
    {
      host: '127.0.0.1',
      port: 0,
      dataDir: join(dir, 'hub'),
      publicUrl: undefined,
      blob: 'local',
      // Sign-ups in the test need not pay for production PBKDF2 rounds.
      passwordIterations: 1_000,
      devMode: false,
      firstAdmin: undefined,
    },
    {},
  );
  const desktops: Desktop[] = [];
  const profile = join(dir, 'chromium');
  mkdirSync(profile);
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 820 },
    acceptDownloads: true,
  });
  const blank = context.pages()[0];

  async function desktop(name: string): Promise<Desktop> {
    const home = join(dir, name);
    mkdirSync(home);
    const env = { ...process.env, DME_HOME: home, DME_KEYCHAIN: 'off', DME_HUB_URL: hub.url };
    const engine = await createDesktopEngine({ home, env, checkResults: true, log: () => undefined });
    const agent = await startAgent({ engine, rendererDir: RENDERER_DIR, port: 0 });
    const page = desktops.length === 0 && blank ? blank : await context.newPage();
    await page.goto(agent.openUrl);
    const d: Desktop = {
      name,
      home,
      url: agent.url,
      page,
      async close() {
        await page.close().catch(() => undefined);
        await agent.close();
        await engine.close();
      },
    };
    desktops.push(d);
    return d;
  }

  return {
    dir,
    hub,
    desktops,
    desktop,
    context,
    async stop() {
      // A shutdown that does not finish is reported, not waited on forever: the flow
      // under test is done by now, and a hung teardown would only hide which part hung.
      for (const d of desktops) await settleWithin(d.close(), 15_000, 'a desktop did not close');
      await settleWithin(context.close(), 15_000, 'the browser context did not close');
      await settleWithin(hub.close(), 15_000, 'the hub did not close');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Signs up through the UI; the account gets the roles asked for. */
export async function signUp(page: Page, hubUrl: string, who: { email: string; name: string; producer: boolean; consumer: boolean }): Promise<void> {
  await page.getByRole('tab', { name: 'Sign up' }).click();
  await page.getByLabel('Hub URL').fill(hubUrl);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByLabel('Your name').fill(who.name);
  await page.getByLabel('receive data').setChecked(who.consumer);
  await page.getByLabel('publish data').setChecked(who.producer);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 20_000 });
}

export async function goTo(page: Page, screen: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: screen, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: screen }).waitFor();
}
