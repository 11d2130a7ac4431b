/**
 * The account behind an access token, cached per session family on a real
 * SQLite file: any write of the hub's own (a revocation, a profile or
 * feature change) shows from the next lookup, usage rows do not clear the
 * cache, and what another process writes shows within MAX_AGE_MS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openSqliteStore, type SqliteStore } from './index.js';

let dir: string;
let store: SqliteStore;
let other: Database.Database;
const now = '2026-03-01T00:00:00.000Z';

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dme-sessions-'));
  store = openSqliteStore(join(dir, 'hub.db'));
  other = new Database(join(dir, 'hub.db'));
  other.pragma('busy_timeout = 5000');
  await store.accounts.create({ id: 'acc_1', email: 'a@x.test', passwordHash: 'h', displayName: 'A', organization: null, features: [], now });
  await store.sessions.open({ familyId: 'fam_1', accountId: 'acc_1', token: { id: 'rt_1', tokenHash: 'hash_1', expiresAt: '2027-01-01T00:00:00.000Z' }, now });
});

afterEach(async () => {
  vi.useRealTimers();
  other.close();
  await store.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

/** Renames the account from another connection: a write the hub's connection does not see itself make. */
const renameElsewhere = (name: string): void => void other.prepare('UPDATE accounts SET display_name = ? WHERE id = ?').run(name, 'acc_1');

describe('accountOfActiveFamily', () => {
  it('answers from its cache while nothing was written, usage rows included, and the answer cannot be changed', async () => {
    const first = await store.sessions.accountOfActiveFamily('fam_1');
    expect(first?.displayName).toBe('A');
    renameElsewhere('B');
    await store.usage.record({ accountId: 'acc_1', kind: 'download', datasetId: 'ds_1', releaseId: 'rel_1', bytes: 1, sha256: 'ab'.repeat(32), createdAt: now });
    const again = await store.sessions.accountOfActiveFamily('fam_1');
    // Cached: the other connection's rename is not seen yet, and the usage row did not clear the entry.
    expect(again).toBe(first);
    expect(() => {
      (again as { tier: string }).tier = 'ENTERPRISE';
    }).toThrow(TypeError);
    expect(() => again!.features.push('ADMIN')).toThrow(TypeError);
  });

  it('shows a write of the hub itself from the next lookup: a profile change, a feature, a revocation', async () => {
    await store.sessions.accountOfActiveFamily('fam_1');
    await store.accounts.update('acc_1', { displayName: 'Renamed' }, now);
    expect((await store.sessions.accountOfActiveFamily('fam_1'))?.displayName).toBe('Renamed');
    await store.accounts.addFeature('acc_1', 'DATA_CONSUMER', now);
    expect((await store.sessions.accountOfActiveFamily('fam_1'))?.features).toEqual(['DATA_CONSUMER']);
    expect(await store.sessions.revokeByToken('hash_1', now)).toBe(true);
    expect(await store.sessions.accountOfActiveFamily('fam_1')).toBeNull();
  });

  it('shows what another process wrote once the entry is a second old', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T00:00:00.000Z'));
    await store.sessions.accountOfActiveFamily('fam_1');
    renameElsewhere('Elsewhere');
    vi.setSystemTime(new Date('2026-03-01T00:00:00.500Z'));
    expect((await store.sessions.accountOfActiveFamily('fam_1'))?.displayName).toBe('A');
    vi.setSystemTime(new Date('2026-03-01T00:00:01.001Z'));
    expect((await store.sessions.accountOfActiveFamily('fam_1'))?.displayName).toBe('Elsewhere');
  });

  it('knows no family that was never opened', async () => {
    expect(await store.sessions.accountOfActiveFamily('fam_unknown')).toBeNull();
  });
});
