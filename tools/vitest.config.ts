/** Vitest project `tools`: tests for repository tooling (the local ESLint plugin). */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'tools',
    environment: 'node',
    include: ['eslint/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
