/**
 * bench:import's third contender, the whole consumer side: `dme sync --once`
 * against a local hub (split from bench/import.mjs, which runs it).
 *
 * The pull (5M rows, 2 rounds: 4.55–4.59 s against sqlite3's 6.68 s,
 * 1.47×, at 4 KiB pages; 4.15–4.40 s against 6.17–6.48 s, 1.49×, at 16
 * KiB with a 2 MiB writer cache; 4.30 s against 6.70 s, 1.56×, at 8 KiB
 * with 8 MiB; client CPU ≈ 6.0 s, then ≈ 5.1–6.0 s, the hub ≈ 0.3–0.5 s on
 * the same two cores):
 * ≈ 0.25 s of start-up on one core; the download, decryption and load
 * overlapped, both cores busy (the download ends first, the payload read
 * back as it grows); then a tail on the writer thread alone: the last
 * rounds' copies, the commit (≈ 0.65 s, mostly the checkpoint of a WAL as
 * large as the table), and closing (≈ 0.2 s, the file system freeing that
 * fsynced 400 MB WAL). What moved it: the hub and the downloading thread
 * ran full mark-compacts over and over, driven by out-of-heap 64 KiB socket
 * chunks (runtime/gc: a young GC every 4 MiB); the library is flushed while
 * the commit checkpoints (fs/flush-while); bigger library pages; each
 * round's copies queued at once (asked one at a time, every copy waited
 * for the decrypting thread and the writer copied most rounds after the
 * load); a writer cache that holds the staging table's rightmost interior
 * page while it fills (smaller, SQLite rewrites that page's WAL frame
 * again and again and the commit rereads the WAL to redo checksums: 16 KiB
 * pages, COMMIT 157–172 ms with 2 MiB, 13–23 ms from 20 MiB). The commit
 * then measured 0.51–0.67 s at 8 KiB (mostly the checkpoint: a pread and a
 * pwrite per page) and closing ≈ 0.2 s (strace: unlinking the 400 MB WAL
 * took 0.18 s of it). Moving both SHA-256 digests off the
 * decrypting thread would save it ≈ 0.4 CPU-s, but skipping them outright
 * changed the pull by −0.09 s on average (3 pairs): that thread is not
 * what the pull waits for. Tried without a gain: committing
 * the staging table in parts with a checkpointer thread (the tail shrank,
 * the load grew by as much: the cores are full; and the issue asks for one
 * transaction), lower thread priority (nice) for the scratch workers or
 * the importing thread, a smaller first round, 8 KiB library pages.
 * Then the download itself: through node:http and a web Response it cost
 * the downloading thread 0.82–0.98 CPU-s for the 358 MB payload (curl -o:
 * 0.27–0.35), two fresh buffers and a promise per 64 KiB; read in place
 * from the socket (net/direct-get) 0.39–0.51. With it the pull measured
 * 3.71–3.91 s against sqlite3's 6.06–6.41 s (1.62×, 1.63×; client CPU
 * 5.10–5.39 s), where it had measured 4.10–5.24 s (1.27–1.51×) the same
 * morning. Later that day the same build measured 4.14–5.98 s (CPU
 * 5.76–8.26 s; 1.32–1.49× in 4 of 6 runs). Per thread, in one such
 * slow pull out of three run back to back outside the benchmark (4.44 s
 * against 3.99 and 4.07), the writer thread's system time was 1.17 s
 * against 0.65–0.66 s for the same writes (the WAL and the library, 400
 * MB each, into fresh page cache); everything else was the same. Emptying
 * each round's scratch files once copied lets the WAL and the checkpoint
 * reuse their pages (8 pairs on such a spell: writer system time 0.70–0.96
 * against 0.79–1.98 s, the pull 4.25–5.19 against 4.34–6.28 s); the bench
 * then measured 1.60×, 1.58× and 1.43×. The hub served the payload
 * through a web stream of fresh 256 KiB buffers, 0.49–0.70 CPU-s for the
 * 358 MB on the same two cores; written onto Node's response from two
 * reused buffers (apps/hub node/blob/send-file) 0.25–0.33 (6 alternating
 * pairs: pull median 4.18 → 4.0 s). Started ahead of the import (while
 * the CLI loads and asks the hub), the writer and scratch threads changed
 * nothing measurable (10 pairs: median 4.26 s started ahead, 4.23 s not): not kept.
 * December 2026, with `perf`: on this VM (virtio-balloon free page
 * reporting) filling pages the guest has not used lately costs ~10× pages
 * freed a moment ago (dd of 400 MB: 0.64–0.73 s of system time, 0.06 s
 * right after deleting a 400 MB file). The commit's checkpoint spent
 * 0.37–0.47 s copying the table into such pages; deleting the payload
 * just before the commit (release-job.ts, beforeCommit) made that
 * 0.02–0.03 s (6 pairs: mean 4.23 → 3.93 s). 64 KiB library pages cut the
 * writer's syscalls eightfold (3.40–3.85 s against 4.00–4.36 at 8 KiB);
 * records built in WebAssembly halved the scratch workers' CPU (median
 * 3.37 → 3.09 s). Tried and not kept: the age pipeline's worker threads
 * for decryption and the plaintext digest (4 pairs: 3.85–4.28 s against
 * 3.54–3.88, CPU +1 s, peak RSS 199–207 MB).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHubProcess } from './hub-process.mjs';

const DME = fileURLToPath(new URL('../packages/core/bin/dme.js', import.meta.url));

/**
 * Producer publishes the CSV to a fresh local hub, the consumer subscribes
 * and is approved; returns `pull()`, which runs `dme sync --once` as the
 * consumer in a fresh copy of the consumer's home (so every round imports
 * the release into a new library), timed with /usr/bin/time when present
 * (else wall clock only), and `close()`. `settle()` runs before each pull
 * (bench/import.mjs: every dirty page written first).
 */
export async function preparePull(csv, work, settle) {
  const hub = await startHubProcess(join(work, 'hub-data'));
  const envFor = (home) => ({ PATH: process.env.PATH, HOME: work, DME_HOME: home, DME_KEYCHAIN: 'off', DME_HUB_URL: hub.url, TMPDIR: work });
  const close = async () => {
    hub.child.kill('SIGTERM');
    await new Promise((res) => (hub.child.exitCode !== null ? res() : hub.child.once('exit', res)));
  };
  try {
    const dme = (user, args, input) => {
      const r = spawnSync(process.execPath, [DME, ...args], { cwd: work, env: envFor(join(work, `home-${user}`)), input: input ?? '', encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(`dme ${args.join(' ')} (as ${user}) exited ${r.status}: ${r.stderr}`);
      return r.stdout;
    };
    for (const [user, role] of [['producer', 'producer'], ['consumer', 'consumer']]) {
      dme(user, ['signup', '--email', `${user}@example.test`, '--name', user, '--password-stdin'], 'bench-password-0123\n');
      dme(user, ['enable', role]);
    }
    const sample = join(work, 'sample.csv');
    writeFileSync(sample, spawnSync('head', ['-n', '1001', csv], { encoding: 'utf8', maxBuffer: 1 << 24 }).stdout);
    dme('producer', ['datasets', 'create', '--name', 'Phones', '--slug', 'phones', '--schema-from', sample, '--publish']);
    const sub = JSON.parse(dme('consumer', ['subscribe', 'phones', '--json'])).id;
    dme('producer', ['approve', sub]);
    const p0 = performance.now();
    dme('producer', ['publish', 'phones', csv, '--no-profile', '--quiet', '--json']);
    const publishSecs = (performance.now() - p0) / 1000;
    let round = 0;
    const pull = () => {
      const home = join(work, `consumer-round-${round++}`);
      cpSync(join(work, 'home-consumer'), home, { recursive: true });
      const timedSync = existsSync('/usr/bin/time');
      const cmd = [process.execPath, DME, 'sync', '--once', '--json'];
      settle();
      const s0 = performance.now();
      const r = spawnSync(timedSync ? '/usr/bin/time' : cmd[0], timedSync ? ['-f', '%U %S %M', ...cmd] : cmd.slice(1), { cwd: work, env: envFor(home), encoding: 'utf8', maxBuffer: 1 << 24 });
      const secs = (performance.now() - s0) / 1000;
      if (r.status !== 0) throw new Error(`dme sync --once exited ${r.status}: ${r.stderr.slice(-2000)}`);
      const [user, sys, rssKiB] = timedSync ? r.stderr.trim().split('\n').pop().split(' ').map(Number) : [NaN, NaN, NaN];
      const count = Number(spawnSync('sqlite3', ['-readonly', join(home, 'library.sqlite'), 'SELECT count(*) FROM phones'], { encoding: 'utf8' }).stdout.trim());
      rmSync(home, { recursive: true, force: true });
      return { secs, count, cpuSecs: user + sys, maxRssMB: rssKiB / 1024 };
    };
    return { pull, publishSecs, close };
  } catch (e) {
    await close();
    throw e;
  }
}
