/** The engine's local parts on real files and a real SQLite library: data reads, the publish queue, watch folders. */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLibrary } from '@dme/core/sync/library';
import { LibraryData } from './data.js';
import { PublishQueue, type Publisher } from './queue.js';
import { FolderWatcher } from './watch.js';
import { toApiError } from './errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dme-engine-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('library data', () => {
  it('pages, sorts, runs read-only SQL, refuses writes and exports CSV', async () => {
    const path = join(dir, 'library.sqlite');
    const lib = openLibrary(path);
    lib.db.exec('CREATE TABLE phones (e164 TEXT NOT NULL, carrier TEXT, n INTEGER) STRICT');
    const ins = lib.db.prepare('INSERT INTO phones VALUES (?, ?, ?)');
    for (let i = 0; i < 25; i++) ins.run(`+1555000${String(i).padStart(4, '0')}`, i % 2 ? 'Acme, Inc' : 'Beta "B"', i);
    lib.close();
    const data = new LibraryData(() => path);
    const page = data.page({ table: 'phones', offset: 5, limit: 10, orderBy: 'n', desc: true });
    expect(page.total).toBe(25);
    expect(page.rows).toHaveLength(10);
    expect(page.rows[0]).toEqual(['+15550000019', 'Acme, Inc', 19]);
    expect(page.columns.map((c) => c.name)).toEqual(['e164', 'carrier', 'n']);
    expect(() => data.page({ table: 'phones', offset: 0, limit: 1, orderBy: 'x; DROP TABLE phones', desc: false })).toThrow(/no column/);
    expect(() => data.page({ table: 'nope', offset: 0, limit: 1, desc: false })).toThrow(/no table/);

    const q = data.sql({ sql: 'SELECT carrier, count(*) AS c FROM phones GROUP BY carrier ORDER BY carrier', limit: 1 });
    expect(q.columns).toEqual(['carrier', 'c']);
    expect(q.rows).toEqual([['Acme, Inc', 12]]);
    expect(q.truncated).toBe(true);
    for (const sql of ['DELETE FROM phones', 'DROP TABLE phones', "INSERT INTO phones VALUES ('x', 'y', 1)", 'PRAGMA user_version = 9']) {
      expect(() => data.sql({ sql, limit: 10 })).toThrow(/read-only/);
    }
    expect(() => data.sql({ sql: 'SELEC 1', limit: 10 })).toThrow();
    expect(data.sql({ sql: 'SELECT count(*) FROM phones', limit: 10 }).rows).toEqual([[25]]);

    const out = join(dir, 'phones.csv');
    expect(await data.exportCsv('phones', out)).toBe(25);
    const csv = (await readFile(out, 'utf8')).split('\r\n');
    expect(csv[0]).toBe('e164,carrier,n');
    expect(csv[1]).toBe('+15550000000,"Beta ""B""",0');
    expect(csv[2]).toBe('+15550000001,"Acme, Inc",1');
    data.close();
  });
});

describe('publish queue', () => {
  it('survives a restart: an item caught mid-upload is queued again and then published once', async () => {
    const file = join(dir, 'a.csv');
    await writeFile(file, 'e164\n+15550001\n');
    let release: () => void = () => undefined;
    const hang: Publisher = async (_item, progress) => {
      progress('uploading', 5, 16);
      await new Promise<void>((r) => (release = r));
      throw new Error('killed');
    };
    const first = await PublishQueue.open({ dir, publish: hang, onChange: () => undefined, onError: () => undefined, toError: toApiError });
    await first.add('ds1', [{ path: file, size: 16 }], 'user');
    for (let i = 0; i < 50 && first.list()[0]!.state !== 'uploading'; i++) await new Promise((r) => setTimeout(r, 10));
    // Simulate a crash: the persisted file says "uploading"; a new process opens it.
    const published: string[] = [];
    const ok: Publisher = async (item, progress) => {
      progress('uploading', 16, 16);
      published.push(item.path);
      return { releaseId: 'rel_1', recordCount: 1 };
    };
    const second = await PublishQueue.open({ dir, publish: ok, onChange: () => undefined, onError: () => undefined, toError: toApiError });
    expect(second.list()[0]!.state).toBe('queued');
    second.kick();
    await second.idle();
    expect(published).toEqual([file]);
    expect(second.list()[0]).toMatchObject({ state: 'done', releaseId: 'rel_1', recordCount: 1 });
    release();
    await first.stop();
  });

  it('records a failure in user words and retries on request', async () => {
    let fail = true;
    const pub: Publisher = async () => {
      if (fail) throw Object.assign(new Error('gone'), { code: 'ENOENT' });
      return { releaseId: 'rel_2', recordCount: 3 };
    };
    const errors: string[] = [];
    const q = await PublishQueue.open({ dir, publish: pub, onChange: () => undefined, onError: (_i, e) => errors.push(e.message), toError: toApiError });
    const [item] = await q.add('ds1', [{ path: join(dir, 'missing.csv'), size: 1 }], 'user');
    await q.idle();
    expect(q.list()[0]).toMatchObject({ state: 'failed', error: { code: 'FILE_ERROR' } });
    expect(errors).toEqual(['The file or folder does not exist.']);
    fail = false;
    await q.retry(item!.id);
    await q.idle();
    expect(q.list()[0]!.state).toBe('done');
  });
});

describe('watch folder', () => {
  it('queues a new file once it has stopped growing, and only once', async () => {
    const folder = join(dir, 'watch');
    await mkdir(folder);
    await writeFile(join(folder, 'old.csv'), 'x\n1\n');
    const queued: string[] = [];
    const sink = {
      seen: {} as Record<string, string>,
      markSeen: async (e: Record<string, string>) => void Object.assign(sink.seen, e),
      add: async (_d: string, files: Array<{ path: string }>) => void queued.push(...files.map((f) => f.path)),
    };
    let now = 0;
    const w = new FolderWatcher(() => [{ datasetId: 'ds1', folder, stableSeconds: 5 }], sink, () => now);
    await w.baseline(folder);
    const file = join(folder, 'new.csv');
    await writeFile(file, 'x\n1\n');
    await w.scan();
    now = 3000;
    await writeFile(file, 'x\n1\n2\n'); // still growing
    await w.scan();
    now = 7000;
    await w.scan();
    expect(queued).toEqual([]);
    now = 8100;
    await w.scan();
    expect(queued).toEqual([file]);
    now = 20_000;
    await w.scan();
    await w.scan();
    expect(queued).toEqual([file]);
  });
});
