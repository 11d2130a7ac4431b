// Electron's own postinstall is turned off in package.json `allowScripts`
// because it downloads the Electron binary, and `npm install` must succeed on
// machines that cannot reach that download (CI, air-gapped servers). Here we
// try the same download and only warn when it fails: the hub, the CLI and the
// desktop's browser mode do not need the binary.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

function electronDir() {
  try {
    return dirname(require.resolve('electron/package.json', { paths: [join(process.cwd(), 'apps/desktop')] }));
  } catch {
    return undefined;
  }
}

const dir = electronDir();
if (!dir) process.exit(0);
if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.warn('dme: ELECTRON_SKIP_BINARY_DOWNLOAD is set; the desktop app will run in browser mode.');
  process.exit(0);
}
const result = spawnSync(process.execPath, [join(dir, 'install.js')], {
  cwd: dir,
  stdio: ['ignore', 'ignore', 'pipe'],
  timeout: 180_000,
  encoding: 'utf8',
});
if (result.status === 0) {
  console.log('dme: Electron binary installed.');
} else {
  const why = (result.stderr || result.error?.message || 'unknown error').trim().split('\n').find((l) => l.trim()) ?? 'unknown error';
  console.warn(`dme: could not download the Electron binary (${why.slice(0, 200)}).`);
  console.warn('dme: everything else is installed; `npm start` runs the desktop app in browser mode.');
}
