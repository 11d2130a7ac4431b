// `npm start`: build, start the hub (apps/hub, 127.0.0.1:8787, SQLite and
// local-disk payloads) and the desktop: Electron when its binary is
// installed, otherwise the browser-mode agent, whose URL (with its per-run
// token) is printed. Ctrl-C stops both.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const build = spawnSync(process.execPath, ['node_modules/typescript-native/bin/tsc', '-b'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
// The `dme` command starts faster bundled; without the bundle it runs from dist/.
if (spawnSync(process.execPath, ['scripts/bundle-cli.mjs'], { cwd: root, stdio: 'inherit' }).status !== 0) console.error('The dme command was not bundled; it runs unbundled.');

const hubUrl = new URL(process.env.DME_HUB_URL || `http://${process.env.DME_HUB_HOST || '127.0.0.1'}:${process.env.DME_HUB_PORT || 8787}`);
const children = [];
let stopping = false;
const stopAll = (signal) => {
  stopping = true;
  children.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill(signal));
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(signal));

function run(args, opts = {}) {
  const child = spawn(args[0], args.slice(1), { cwd: root, stdio: opts.stdio ?? 'inherit', env: { ...process.env, DME_HUB_URL: hubUrl.origin } });
  children.push(child);
  child.on('exit', (code, signal) => {
    // A part that stops by itself (a crash, a port in use) is a failure; parts we
    // asked to stop are not. Either way, one part gone means the app is not
    // usable: stop the other too.
    const failed = !stopping && (code !== 0 || signal !== null);
    if (failed || (code !== null && code !== 0)) process.exitCode = code || 1;
    stopAll('SIGTERM');
  });
  return child;
}

/** Resolves when the hub accepts TCP connections (bounded: 30 tries, 15 s). */
async function waitForHub() {
  for (let i = 0; i < 30; i++) {
    const up = await new Promise((resolve) => {
      const s = connect(Number(hubUrl.port || 80), hubUrl.hostname, () => (s.end(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (up) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

function electronBinary() {
  try {
    const path = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null; // package without its binary (as on CI and servers)
  }
}

if (!existsSync(at('apps/hub/dist/node/cli.js'))) {
  console.error('The hub is not built (apps/hub/dist/node/cli.js missing); `npm run build` failed to produce it.');
  process.exit(1);
}
run([process.execPath, at('apps/hub/bin/dme-hub.js'), 'serve']);
if (!(await waitForHub())) console.error(`The hub did not come up at ${hubUrl.origin}; starting the desktop anyway.`);

if (!existsSync(at('apps/desktop/out/renderer/index.html'))) {
  const vite = spawnSync(process.execPath, [at('node_modules/vite/bin/vite.js'), 'build'], { cwd: at('apps/desktop'), stdio: 'inherit' });
  if (vite.status !== 0) console.error('The renderer did not build; the desktop will show a notice instead of its screens.');
}

const electron = electronBinary();
if (electron) {
  run([electron, at('apps/desktop')]);
} else {
  const agent = run([process.execPath, at('apps/desktop/out/agent/main.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  agent.stdout.setEncoding('utf8');
  agent.stdout.on('data', (text) => {
    process.stdout.write(text);
    const m = /DME desktop: (\S+)/.exec(text);
    if (m) console.log(`\nNo Electron binary here: open the desktop in your browser at\n  ${m[1]}\n(the token in the link is valid until the agent stops)\n`);
  });
}
