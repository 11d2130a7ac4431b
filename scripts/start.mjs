// `npm start`: build, then run what exists on embedded defaults. The hub
// (apps/hub) starts on 127.0.0.1:8787 with SQLite and local-disk payloads;
// until it is built, this prints the `dme` CLI's help instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const build = spawnSync(process.execPath, ['node_modules/typescript-native/bin/tsc', '-b'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const hub = fileURLToPath(new URL('../apps/hub/bin/dme-hub.js', import.meta.url));
const hubBuilt = existsSync(fileURLToPath(new URL('../apps/hub/dist/node/cli.js', import.meta.url)));
if (!existsSync(hub) || !hubBuilt) {
  const help = spawnSync(process.execPath, ['packages/core/bin/dme.js', '--help'], { cwd: root, stdio: 'inherit' });
  process.exit(help.status ?? 1);
}
const child = spawn(process.execPath, [hub, 'serve'], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
