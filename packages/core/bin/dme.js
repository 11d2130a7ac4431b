#!/usr/bin/env node
// The `dme` command. The CLI is TypeScript compiled to dist/ by `npm run build`
// (run by `npm test` and `npm start`); this shim only points there.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('dme: not built yet; run `npm run build` at the repository root\n');
  process.exit(1);
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
