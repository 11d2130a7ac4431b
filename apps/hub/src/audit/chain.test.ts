import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../node/commands.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { SqliteStore } from '../store/sqlite/index.js';
import { GENESIS_HASH, canonicalize, entryHash, verifyAuditChain } from './chain.js';
import { recorder } from './recorder.js';

const clock = { now: () => new Date('2025-01-27T14:00:00.000Z') };

async function cli(dir: string): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await runCli(['audit', 'verify'], { stdin: new PassThrough(), stdout, stderr: new PassThrough(), env: { DME_HUB_DATA: dir } });
  return { code: code as number, out: Buffer.concat(chunks).toString() };
}

describe('audit chain', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dme-audit-'));
    store = openSqliteStore(join(dir, 'hub.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function fill(n: number): Promise<void> {
    const audit = recorder(store, clock);
    // Concurrent writers: the recorder must still produce one unbroken chain.
    await Promise.all(
      Array.from({ length: n }, (_, i) => audit.run({ actor: `acc_${i % 3}`, action: 'test.act', subject: `s_${i}`, details: { i, nested: { b: [1, true, null], a: 'x' } } }, (effects) => store.audit.append(effects.audit))),
    );
  }

  it('canonicalizes with sorted keys at every level', () => {
    expect(canonicalize({ b: 1, a: { d: [2, { y: 1, x: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"x":2,"y":1}]},"b":1}');
  });

  it('links every entry to the previous one and verifies', async () => {
    await fill(25);
    const entries = await store.audit.list(0, 100);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(entries[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.prevHash).toBe(entries[i - 1]!.hash);
    expect(await entryHash(entries[3]!)).toBe(entries[3]!.hash);
    expect(await verifyAuditChain(store, 7)).toEqual({ ok: true, entries: 25, headHash: entries[24]!.hash });
  });

  it('refuses UPDATE and DELETE through SQL', async () => {
    await fill(2);
    expect(() => store.db.prepare(`UPDATE audit_log SET actor = 'x' WHERE seq = 1`).run()).toThrow(/append-only/);
    expect(() => store.db.prepare(`DELETE FROM audit_log WHERE seq = 1`).run()).toThrow(/append-only/);
  });

  it('finds the first tampered, re-linked or removed entry, and dme-hub audit verify exits 1', async () => {
    await fill(10);
    await store.close();
    expect(await cli(dir)).toMatchObject({ code: 0, out: expect.stringContaining('audit chain OK: 10 entries') });
    store = openSqliteStore(join(dir, 'hub.db'));
    // Someone with the database file bypasses the triggers.
    store.db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
    const original = store.db.prepare('SELECT details FROM audit_log WHERE seq = 6').get() as { details: string };
    store.db.prepare(`UPDATE audit_log SET details = '{"i":999}' WHERE seq = 6`).run();
    expect(await verifyAuditChain(store)).toEqual({ ok: false, entries: 5, seq: 6, reason: 'hash' });

    // Recomputing the tampered entry's hash does not help: the next link breaks.
    const six = (await store.audit.list(5, 1))[0]!;
    store.db.prepare('UPDATE audit_log SET hash = ? WHERE seq = 6').run(await entryHash(six));
    expect(await verifyAuditChain(store)).toEqual({ ok: false, entries: 6, seq: 7, reason: 'prev-hash' });

    store.db.prepare('UPDATE audit_log SET details = ?, hash = ? WHERE seq = 6').run(original.details, six.hash);
    expect((await verifyAuditChain(store)).ok).toBe(true);
    store.db.prepare('DELETE FROM audit_log WHERE seq = 3').run();
    expect(await verifyAuditChain(store)).toEqual({ ok: false, entries: 2, seq: 3, reason: 'gap' });
    await store.close();
    expect(await cli(dir)).toMatchObject({ code: 1, out: expect.stringContaining('BROKEN at entry 3') });
    store = openSqliteStore(join(dir, 'hub.db'));
  });
});
