/**
 * ESLint flat config for the whole repository: ESLint's and typescript-eslint's
 * recommended rules (syntax-only, no type information, so `npm run lint` stays
 * fast) plus our runtime boundaries (`dme/import-boundary`, tools/eslint/).
 *
 * Policy: every enabled rule is an error. A rule that is too noisy to fix is
 * turned off here with a reason, never left as a warning to pile up.
 */
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import dme from './tools/eslint/index.js';

const ALL = ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'];
const TESTS = ['**/*.test.{ts,tsx}', '**/test/**'];

/** Importing the Node parts of core from a page or a worker breaks at load time. */
const NODE_PARTS_OF_CORE = ['@dme/core/crypto', '@dme/core/profile'];

/**
 * Runtime zones. A relative import from one zone may only land in a zone that
 * forbids at least as much; `files` are globs relative to this directory.
 * Keep the web-standard list in step with packages/core/tsconfig.std.json.
 * @type {import('./tools/eslint/zones.js').ZoneConfig[]}
 */
export const zones = [
  {
    name: 'web-standard',
    files: [
      'packages/core/src/protocol/**',
      'packages/core/src/sdk/**',
      'packages/core/src/crypto/manifest.ts',
      'packages/core/src/crypto/ed25519.ts',
      'packages/core/src/crypto/encoding.ts',
    ],
    ignores: TESTS,
    forbid: ['node', 'electron', 'dom'],
    packages: NODE_PARTS_OF_CORE,
  },
  {
    // Hub domain code runs on Node and on Workers; runtime-specific code lives
    // in its own folders. Keep in step with apps/hub/tsconfig.std.json.
    name: 'hub web-standard',
    files: ['apps/hub/src/**'],
    ignores: [...TESTS, 'apps/hub/src/node/**', 'apps/hub/src/store/sqlite/**', 'apps/hub/src/entry.node.ts', 'apps/hub/src/workers/**', 'apps/hub/src/entry.workers.ts'],
    forbid: ['node', 'electron', 'dom'],
    packages: NODE_PARTS_OF_CORE,
  },
  {
    // The desktop API contract is imported by main, preload and renderer alike.
    name: 'desktop shared',
    files: ['apps/desktop/src/shared/**'],
    ignores: TESTS,
    forbid: ['node', 'electron', 'dom'],
    packages: NODE_PARTS_OF_CORE,
  },
  {
    name: 'renderer',
    files: ['apps/desktop/src/renderer/**'],
    ignores: TESTS,
    forbid: ['node', 'electron'],
    packages: NODE_PARTS_OF_CORE,
  },
  {
    // A sandboxed preload can require only `electron` (and a few polyfills we do not use).
    name: 'preload',
    files: ['apps/desktop/src/preload/**'],
    ignores: TESTS,
    forbid: ['node'],
  },
];

export default defineConfig([
  globalIgnores([
    '**/node_modules/',
    '**/dist/',
    '**/out/',
    '**/build/',
    '**/dist-electron/',
    '**/dist-bundle/',
    '**/coverage/',
    '**/.tmp/',
    '**/*.tsbuildinfo',
    '.dme-hub/',
    'bench/.data/',
  ]),
  {
    files: ALL,
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_`-prefixed names mark deliberately unused parameters and destructured rests.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Control characters in regexes are deliberate in parsers (CSV, age headers).
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    rules: {
      // Plain JS scripts carry JSDoc types; TS-only rules do not apply.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Tests probe untyped response bodies freely and assert their shape. In
    // sources a justified `any` carries its reason in the disable comment:
    // `// eslint-disable-next-line @typescript-eslint/no-explicit-any -- why`.
    files: TESTS,
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['apps/desktop/src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ALL,
    plugins: { dme },
    rules: { 'dme/import-boundary': ['error', { root: import.meta.dirname, zones }] },
  },
]);
