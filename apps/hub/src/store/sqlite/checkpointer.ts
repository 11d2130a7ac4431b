/**
 * @module store/sqlite/checkpointer
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs
 * inside whichever commit crosses the threshold, and with synchronous=NORMAL
 * a checkpoint is where the fsyncs happen: better-sqlite3 being synchronous,
 * that commit blocked every request for its duration (measured under load:
 * 133 of 8,000 commits over 1 ms, worst 203 ms). Here a worker thread with its
 * own connection runs PASSIVE checkpoints (they never block readers or
 * writers) every `intervalMs`; the hub's connection keeps an automatic
 * checkpoint only as a far backstop (`BACKSTOP_PAGES`), should the worker
 * fall behind.
 *
 * Durability is unchanged: a commit is durable in the WAL (NORMAL: across
 * application crashes; an OS crash may lose the last commits) whoever copies
 * it into the database file later.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';

/** The hub's own connection checkpoints only when the WAL exceeds this many pages (~40 MB). */
export const BACKSTOP_PAGES = 10_000;

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const run = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or closing: the next round, or the backstop, will do it.
  }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  run();
  db.close();
  parentPort.close();
});
parentPort.postMessage('ready');
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/** Starts checkpointing `path` (the file `db` has open) from a worker thread. */
export function startCheckpointer(db: Database, path: string, intervalMs = 500): Checkpointer {
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { path, driver, intervalMs } });
  // A hub that exits without closing the store must not be kept alive by its checkpointer.
  worker.unref();
  worker.on('error', () => {
    // Without its checkpointer the hub goes on with SQLite's default automatic checkpoints.
    if (db.open) db.pragma('wal_autocheckpoint = 1000');
  });
  // Listened for from the start: a worker that already died must not leave stop() waiting.
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  return {
    stop: () =>
      (stopping ??= (async () => {
        // Unreferenced, the worker would not keep this process alive while we wait for it.
        worker.ref();
        worker.postMessage('stop');
        await exited;
      })()),
  };
}
