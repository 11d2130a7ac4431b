#!/usr/bin/env node
// The `dme` command. The CLI is TypeScript compiled to dist/ by `npm run build`
// (run by `npm test` and `npm start`), which also bundles it into dist-bundle/
// (scripts/bundle-cli.mjs) for a faster start. This shim runs the bundle
// unless tsc has rebuilt dist/ since (a compile without the bundling step).
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const mtime = (url) => statSync(fileURLToPath(url), { throwIfNoEntry: false })?.mtimeMs;
const main = new URL('../dist/cli/main.js', import.meta.url);
const bundle = new URL('../dist-bundle/main.mjs', import.meta.url);
const built = mtime(main);
if (built === undefined) {
  process.stderr.write('dme: not built yet; run `npm run build` at the repository root\n');
  process.exit(1);
}
const { run } = await import((mtime(bundle) ?? -Infinity) >= built ? bundle.href : main.href);
process.exitCode = await run(process.argv.slice(2));
