import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecords } from '../formats/index.js';
import { FileProfileSchema, type ColumnProfile, type FileProfile } from '../protocol/profile.js';
import { FileProfiler, ProfileError, profileFile, renderProfile } from './index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dme-profile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function profileText(name: string, text: string | Buffer, keyColumns?: string[]): Promise<FileProfile> {
  const path = join(dir, name);
  await writeFile(path, text);
  return profileFile(path, keyColumns ? { keyColumns } : {});
}

function col(p: FileProfile, name: string): ColumnProfile {
  const c = p.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
}

/** 200 rows; column `mostly` has one "N/A" (99.5% integers), `sparse` is half empty. */
function typedCsv(): string {
  const lines = ['n,price,flag,day,seen,phone,zip,mostly,mixed_time,sparse,word'];
  for (let i = 0; i < 200; i++) {
    lines.push(
      [
        i - 50,
        (i * 1.25).toFixed(2),
        i % 3 === 0 ? 'true' : 'False',
        `2024-03-${String((i % 28) + 1).padStart(2, '0')}`,
        `2024-03-01T${String(i % 24).padStart(2, '0')}:15:00Z`,
        `+1415555${String(1000 + i).padStart(4, '0')}`,
        String(i % 7).padStart(5, '0'),
        i === 100 ? 'N/A' : String(i),
        i % 2 ? '2024-05-06' : '2024-05-06T07:08:09Z',
        i % 2 ? '' : 'x',
        `w${i % 10}`,
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

describe('profileFile', () => {
  it('infers types, ranges, nulls and exact small distinct counts', async () => {
    const p = await profileText('typed.csv', typedCsv());
    expect(p.format).toBe('csv');
    expect(p.compressed).toBe(false);
    expect(p.recordCount).toBe(200);
    expect(p.bytes).toBe(Buffer.byteLength(typedCsv()));
    expect(col(p, 'n')).toMatchObject({ type: 'integer', min: -50, max: 149, nullCount: 0, distinctEstimate: 200, validity: 1 });
    expect(col(p, 'price')).toMatchObject({ type: 'real', min: 0, max: 248.75 });
    expect(col(p, 'flag')).toMatchObject({ type: 'boolean', distinctEstimate: 2 });
    expect(col(p, 'day')).toMatchObject({ type: 'date', min: '2024-03-01', max: '2024-03-28', distinctEstimate: 28 });
    expect(col(p, 'seen')).toMatchObject({ type: 'datetime', min: '2024-03-01T00:15:00Z', max: '2024-03-01T23:15:00Z' });
    expect(col(p, 'phone')).toMatchObject({ type: 'phone_e164', maxLength: 12 });
    expect(col(p, 'zip')).toMatchObject({ type: 'text', maxLength: 5, distinctEstimate: 7 });
    expect(col(p, 'mostly')).toMatchObject({ type: 'integer', validity: 0.995 });
    expect(col(p, 'mixed_time')).toMatchObject({ type: 'datetime', validity: 1 });
    expect(col(p, 'sparse')).toMatchObject({ type: 'text', nullCount: 100, distinctEstimate: 1 });
    expect(col(p, 'word')).toMatchObject({ type: 'text', distinctEstimate: 10, maxLength: 2 });
    expect(FileProfileSchema.safeParse(p).success).toBe(true);
  });

  it('computes the quality metrics by the documented formula', async () => {
    const p = await profileText('typed2.csv', typedCsv());
    const cells = 200 * 11;
    expect(p.quality.completeness).toBeCloseTo(1 - 100 / cells, 12);
    // Only the "N/A" in `mostly` fails its column's type.
    expect(p.quality.validity).toBeCloseTo(1 - 1 / (cells - 100), 12);
    // Dominant written form: `mixed_time` is half dates, half datetimes; `mostly` has one text; `price` has "0.00" etc (all reals).
    const expected = (9 + 0.5 + 0.995) / 11;
    expect(p.quality.consistency).toBeCloseTo(expected, 12);
    const score = 0.375 * p.quality.completeness + 0.375 * p.quality.validity + 0.25 * p.quality.consistency;
    expect(p.quality.overallScore).toBe(Math.round(score * 1000) / 10);
    expect(p.quality.uniqueness).toBeUndefined();
  });

  it('measures uniqueness of single and composite keys, counting null keys as not unique', async () => {
    const text = 'id,part,v\n1,a,x\n2,a,x\n2,b,x\n3,a,x\n3,a,y\n,a,z\n4,,z\n5,c,z\n';
    const single = await profileText('keys.csv', text, ['id']);
    expect(single.keyColumns).toEqual(['id']);
    expect(single.quality.uniqueness).toBeCloseTo(5 / 8, 12);
    const composite = await profileText('keys2.csv', text, ['id', 'part']);
    // (1,a) (2,a) (2,b) (3,a) (4,∅ skipped) (5,c); (3,a) repeats and (∅,a) is skipped.
    expect(composite.quality.uniqueness).toBeCloseTo(5 / 8, 12);
    const unique = await profileText('keys3.csv', text, ['v', 'part', 'id']);
    expect(unique.quality.uniqueness).toBeCloseTo(6 / 8, 12);
    expect(composite.quality.overallScore).toBe(
      Math.round(
        (0.3 * composite.quality.completeness + 0.3 * composite.quality.validity + 0.2 * composite.quality.consistency + 0.2 * (5 / 8)) * 1000,
      ) / 10,
    );
  });

  it('refuses a key column the file does not have', async () => {
    await expect(profileText('nokey.csv', 'a,b\n1,2\n', ['c'])).rejects.toBeInstanceOf(ProfileError);
    await expect(profileText('nokey2.csv', 'a,b\n1,2\n', ['c'])).rejects.toMatchObject({ code: 'PROFILE_UNKNOWN_KEY_COLUMN' });
  });

  it('profiles gzip NDJSON with native JSON types and flags mixed representations as inconsistent', async () => {
    const lines = [];
    for (let i = 0; i < 100; i++) lines.push(JSON.stringify({ id: i, qty: i === 7 ? String(i) : i, ok: i % 2 === 0, at: '2025-01-01' }));
    lines.push(JSON.stringify({ id: 100, qty: 1, ok: true, at: '2025-01-02', extra: { deep: 1 } }));
    const p = await profileText('data.ndjson.gz', gzipSync(lines.join('\n')), ['id']);
    expect(p).toMatchObject({ format: 'ndjson', compressed: true, recordCount: 101 });
    expect(col(p, 'qty')).toMatchObject({ type: 'integer', validity: 1 });
    expect(col(p, 'ok')).toMatchObject({ type: 'boolean' });
    expect(col(p, 'at')).toMatchObject({ type: 'date', max: '2025-01-02' });
    expect(col(p, 'extra')).toMatchObject({ type: 'text', nullCount: 100 });
    expect(p.quality.uniqueness).toBe(1);
    // qty: 100 native numbers, 1 string "7" → 100/101 consistent; the other columns fully consistent.
    expect(p.quality.consistency).toBeCloseTo((4 + 100 / 101) / 5, 12);
  });

  it('lists the columns of a header-only file and scores an empty file as clean', async () => {
    const p = await profileText('header.csv', 'a,b\n');
    expect(p.recordCount).toBe(0);
    expect(p.columns.map((c) => [c.name, c.type, c.nullCount])).toEqual([
      ['a', 'text', 0],
      ['b', 'text', 0],
    ]);
    expect(p.quality.overallScore).toBe(100);
  });

  it('renders a table naming every column, its type and the score', async () => {
    const p = await profileText('render.csv', typedCsv(), ['n']);
    const out = renderProfile(p);
    expect(out).toContain('CSV, 200 records, 11 columns');
    for (const c of p.columns) expect(out).toMatch(new RegExp(`^${c.name}\\b.*\\b${c.type}\\b`, 'm'));
    expect(out).toContain(`Quality score ${p.quality.overallScore.toFixed(1)}/100`);
    expect(out).toContain('key uniqueness 100.0%');
  });
});

describe('a large file', () => {
  it('profiles 200k rows with bounded retained state and estimates within tolerance', async () => {
    const rows = 200_000;
    const path = join(dir, 'big.csv');
    const out = createWriteStream(path);
    out.write('e164,status,score,updated_at\n');
    const statuses = ['available', 'reserved', 'assigned', 'ported'];
    let chunk = '';
    for (let i = 0; i < rows; i++) {
      const day = String((i % 28) + 1).padStart(2, '0');
      chunk += `+1212${String(2_000_000 + i * 7)},${statuses[i % 4]},${i % 1000},2025-02-${day}T${String(i % 24).padStart(2, '0')}:00:00Z\n`;
      if (chunk.length > 1 << 16) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
    out.end(chunk);
    await once(out, 'close');

    const profiler = new FileProfiler(['e164']);
    const reader = readRecords(createReadStream(path), { fileName: path });
    let peakRetained = 0;
    for await (const b of reader) {
      profiler.addBatch(b);
      peakRetained = Math.max(peakRetained, profiler.retainedValues());
    }
    const p = profiler.finish({ format: reader.format!, compressed: false, bytes: reader.bytes, columns: reader.columns, recordCount: reader.recordCount });
    // Caps: 1,024 exact values per column (+1 before spilling) and 131,072 for the key, whatever the row count.
    expect(peakRetained).toBeLessThanOrEqual(4 * 1025 + 131_073);
    // At the end only the low-cardinality columns still hold exact sets: 4 statuses, 1000 scores, 168 timestamps.
    expect(profiler.retainedValues()).toBe(4 + 1000 + 168);
    expect(p.recordCount).toBe(rows);
    expect(col(p, 'status').distinctEstimate).toBe(4);
    expect(col(p, 'score')).toMatchObject({ type: 'integer', distinctEstimate: 1000, min: 0, max: 999 });
    expect(Math.abs(col(p, 'e164').distinctEstimate - rows) / rows).toBeLessThan(0.03);
    expect(col(p, 'updated_at')).toMatchObject({ type: 'datetime', distinctEstimate: 168 });
    expect(p.quality.uniqueness!).toBeGreaterThan(0.98);
    expect(p.quality.validity).toBe(1);
  });
});
