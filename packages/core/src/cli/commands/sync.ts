/**
 * @module cli/commands/sync
 * `dme sync`: the consumer's sync engine as a command, for servers. It keeps
 * the local SQLite library in step with every active subscription: catches
 * up, then follows the hub's event stream. Logs are JSON lines on stderr
 * (time, level, msg, fields; never keys or tokens); stdout gets one line per
 * imported release. SIGTERM/SIGINT stop it cleanly: the current import is
 * rolled back (or finishes committing) and the exit code is 0.
 */
import { join, resolve } from 'node:path';
import { requireRegisteredIdentity } from '../../client/connect.js';
import { loadSecrets } from '../../identity/store.js';
import { SyncEngine } from '../../sync/engine/engine.js';
import { jsonLogger } from '../../sync/engine/log.js';
import { throttledFetch } from '../../sync/engine/throttle.js';
import { parse } from '../args.js';
import { UsageError } from '../errors.js';
import { requireLogin, withHub } from '../hub-io.js';
import { line, type Io } from '../io.js';

const USAGE = 'dme sync [--once] [--library PATH] [--json] [--limit-rate RATE] [--verbose]';

export const SYNC_HELP = `Receive the releases of your active subscriptions into a local SQLite library.

usage: ${USAGE}

  --once             catch up on what is missing, then exit (no event stream)
  --library PATH     the library file (default $DME_HOME/library.sqlite)
  --json             stdout: one JSON object per imported release (and a summary with --once)
  --limit-rate RATE  cap download speed, bytes per second (suffixes K, M, G: 10M = 10 MiB/s)
  --verbose          debug-level logs

Without --once it runs until stopped: it catches up, then follows the hub's
event stream and imports each new release as it is published. Each release
is verified (producer signature, payload and plaintext SHA-256) and imported
in one transaction, exactly once; a failed release is retried with backoff
and leaves the previous data intact. State (event cursor, partial downloads)
is kept in $DME_HOME/sync; an interrupted download resumes.

Logs: JSON lines on stderr {"time","level","msg",...}.
Exit codes:
  0  stopped by SIGTERM/SIGINT after a clean stop (current import rolled back or
     committed); with --once: every missing release was imported
  1  with --once: some release failed (or the run was interrupted); otherwise
     the hub refused the event stream or the engine could not start (e.g. another
     \`dme sync\` uses the same $DME_HOME)
  2  usage error`;

export function parseRate(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)i?B?$/i.exec(text.trim());
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(m?.[2] ?? '').toUpperCase() as '' | 'K' | 'M' | 'G'];
  const rate = m ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!(rate >= 1024)) throw new UsageError(`--limit-rate must be at least 1K bytes per second, e.g. 10M; got "${text}"\nusage: ${USAGE}`);
  return rate;
}

/** A sync stops cleanly on SIGINT/SIGTERM (the CLI leaves signals to this command). */
function takeSignals(onSignal: (signal: NodeJS.Signals) => void): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  for (const s of signals) process.on(s, onSignal);
  return () => signals.forEach((s) => process.off(s, onSignal));
}

export async function syncCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { once: { type: 'boolean' }, library: { type: 'string' }, json: { type: 'boolean' }, 'limit-rate': { type: 'string' }, verbose: { type: 'boolean' } },
    USAGE,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${USAGE}`);
  const rate = values['limit-rate'] === undefined ? undefined : parseRate(values['limit-rate']);
  return withHub(io, async (c) => {
    requireLogin(c);
    const { identity, secrets } = await loadSecrets(c.config.home, io.env);
    await requireRegisteredIdentity(c.hub, identity);
    const library = resolve(values.library ?? join(c.config.home, 'library.sqlite'));
    const stateDir = join(c.config.home, 'sync');
    const logger = jsonLogger(io.stderr, { level: values.verbose ? 'debug' : 'info' });
    const plain = c.session.plainFetch;
    const engine = new SyncEngine({
      hub: c.hub,
      stream: { baseUrl: c.config.hubUrl, fetch: c.session.fetch },
      secrets,
      library,
      stateDir,
      logger,
      downloadFetch: rate ? throttledFetch(plain, rate) : plain,
      // --once must end: a few quick retries of a failing release, not hours of backoff.
      ...(values.once ? { retry: { baseMs: 1_000, maxMs: 5_000, maxAttempts: 3 } } : {}),
    });
    engine.on((e) => {
      if (e.type !== 'imported') return;
      if (values.json) line(io.stdout, JSON.stringify(e));
      else line(io.stdout, `imported ${e.dataset} (${e.releaseId}) from ${e.producer}: ${e.rows} rows into ${e.table}`);
    });

    let interrupted = false;
    let signals = 0;
    const release = takeSignals((signal) => {
      signals++;
      // A second signal means "now": the open transaction dies with the process, which SQLite rolls back.
      if (signals > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
      interrupted = true;
      logger.info('signal received; stopping', { signal });
      void engine.stop();
    });
    try {
      if (values.once) {
        const report = await engine.runOnce();
        if (values.json) line(io.stdout, JSON.stringify({ imported: report.imported, failed: report.failed, interrupted }));
        else line(io.stdout, `${report.imported.length} imported, ${report.failed.length} failed${interrupted ? ' (interrupted)' : ''}`);
        return report.failed.length > 0 || interrupted ? 1 : 0;
      }
      await engine.start();
      await engine.done();
      return 0;
    } finally {
      await engine.stop();
      release();
    }
  });
}
