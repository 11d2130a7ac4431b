/**
 * Two connections writing one hub database at once (the second in a worker
 * thread, as a second hub process or an operator's sqlite3 would). Domain
 * transactions read and then write; begun DEFERRED, such a transaction fails
 * with SQLITE_BUSY when the other connection commits in between. Begun
 * IMMEDIATE with a busy timeout, it waits its turn: no request fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from './index.js';
import type { SqliteStore } from './index.js';

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const bump = db.prepare("UPDATE accounts SET organization = ?, updated_at = ? WHERE id = 'acc_other'");
const tx = db.transaction((i) => bump.run('org ' + i, new Date().toISOString()));
const flag = new Int32Array(workerData.stop);
let n = 0;
parentPort.postMessage('started');
while (Atomics.load(flag, 0) === 0) tx.immediate(n++);
db.close();
parentPort.postMessage(n);
`;

let dir: string;
let store: SqliteStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dme-writers-'));
  store = openSqliteStore(join(dir, 'hub.db'));
  for (const id of ['acc_main', 'acc_other']) {
    await store.accounts.create({ id, email: `${id}@x.test`, passwordHash: 'h', displayName: id, organization: null, features: [], now: '2026-03-01T00:00:00.000Z' });
  }
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('concurrent writers on one database', () => {
  it('read-then-write transactions wait for the other writer instead of failing', async () => {
    const stop = new SharedArrayBuffer(4);
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER, { eval: true, workerData: { path: join(dir, 'hub.db'), driver, stop } });
    const done = new Promise<number>((resolve, reject) => {
      worker.on('message', (m: unknown) => typeof m === 'number' && resolve(m));
      worker.once('error', reject);
    });
    await new Promise<void>((resolve) => worker.once('message', () => resolve()));
    const failures: string[] = [];
    const ROUNDS = 1500;
    for (let i = 0; i < ROUNDS; i++) {
      try {
        // accounts.update reads the row, then updates it, in one transaction.
        await store.accounts.update('acc_main', { displayName: `main ${i}` }, new Date().toISOString());
      } catch (err) {
        failures.push(String(err));
      }
    }
    Atomics.store(new Int32Array(stop), 0, 1);
    const otherWrites = await done;
    expect(otherWrites).toBeGreaterThan(0);
    expect(failures.slice(0, 3)).toEqual([]);
    expect((await store.accounts.getById('acc_main'))?.displayName).toBe(`main ${ROUNDS - 1}`);
    expect((await store.accounts.getById('acc_other'))?.organization).toBe(`org ${otherWrites - 1}`);
  });
});
