// Bundles the `dme` command (packages/core/dist/cli/main.js, tsc's output)
// into packages/core/dist-bundle/: one module per command plus shared chunks,
// zod and our own modules inlined. Loading them from dist/ (219 .js files
// opened by `dme sync --help`, against 32 bundled) cost each `dme` start
// 130-140 ms (0.17 CPU-s) more than the bundle. Worker scripts and native
// modules stay outside (fs/built-file finds them).
// Run by `npm run build` and `npm start`, after tsc.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const core = fileURLToPath(new URL('../packages/core/', import.meta.url));
const dir = `${core}dist-bundle`;
rmSync(dir, { recursive: true, force: true });
await build({
  input: `${core}dist/cli/main.js`,
  platform: 'node',
  external: [/^node:/, 'better-sqlite3', 'keytar'],
  logLevel: 'warn',
  output: { dir, format: 'esm', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' },
});
