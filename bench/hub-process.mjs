// A real `dme-hub serve` for benchmarks: free loopback port, data under
// `dataDir`, low password-hashing cost (the benchmarks time transfers, not
// sign-ups). Resolves with the child process and the URL it printed.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const HUB = fileURLToPath(new URL('../apps/hub/bin/dme-hub.js', import.meta.url));

export async function startHubProcess(dataDir) {
  const child = spawn(process.execPath, [HUB, 'serve'], {
    env: { ...process.env, DME_HUB_HOST: '127.0.0.1', DME_HUB_PORT: '0', DME_HUB_DATA: dataDir, DME_HUB_PASSWORD_ITERATIONS: '1000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start: ${out}`)), 30_000);
    const onData = (d) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited ${code}: ${out}`));
    });
  });
  return { child, url };
}
