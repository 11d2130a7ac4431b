/**
 * The `desktop-e2e` vitest project: Playwright (playwright-core + Debian
 * chromium) against a real hub and two browser-mode desktops. Global setup
 * builds the renderer first so the agents serve a fresh bundle.
 * Run: npx vitest run --config apps/desktop/test/e2e/vitest.config.ts
 */
import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

export default defineProject({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    name: 'desktop-e2e',
    include: ['**/*.e2e.test.ts'],
    environment: 'node',
    globalSetup: ['./build-renderer.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // One browser, two desktops and a hub: running files in parallel would only fight for 2 cores.
    fileParallelism: false,
  },
});
