/** The memoized download answer is byte for byte the JSON.stringify of the answer object. */
import { describe, expect, it } from 'vitest';
import type { ReleaseRecord } from '../store/releases.js';
import { downloadBodies } from './download-body.js';
import { publishedView } from './views.js';

const manifest = {
  manifest: { v: 1, datasetId: 'ds_1', releaseId: 'rel_1', payloadSize: 10, payloadSha256: 'ab'.repeat(32), plaintextSize: 4, plaintextSha256: 'cd'.repeat(32), recordCount: 2, schemaVersion: 'v1', createdAt: '2026-03-01T00:00:00.000Z', producerKey: 'k' },
  signature: 'sig "quoted" \u2028',
};

function release(over: Partial<ReleaseRecord> = {}): ReleaseRecord {
  return {
    id: 'rel_1',
    datasetId: 'ds_1',
    producerId: 'acc_p',
    status: 'published',
    payloadSize: 10,
    payloadSha256: 'ab'.repeat(32),
    blobKey: 'p/d/r',
    uploadId: null,
    manifest,
    profile: { columns: [{ name: 'phone', type: 'text' }], rows: 2 },
    createdAt: '2026-03-01T00:00:00.000Z',
    publishedAt: '2026-03-01T00:00:01.000Z',
    ...over,
  };
}

const expected = (r: ReleaseRecord, grant: { recipient: string; header: string }, url: string, expiresAt: string) =>
  JSON.stringify({ release: publishedView(r), manifest: r.manifest, grant, url, expiresAt });

describe('downloadBodies', () => {
  it('equals JSON.stringify of the answer, first time and from memory with another grant and URL; the full record is read once', async () => {
    const body = downloadBodies();
    const r = release();
    let loads = 0;
    const full = async () => ((loads += 1), release());
    const a = { recipient: 'age1aaa', header: 'SEVBREVSLUE=' };
    const b = { recipient: 'age1bbb', header: 'SEVBREVSLUI=' };
    expect(await body(r, full, a, 'http://h/v1/blob/x?m=GET&exp=1&sig=s', '2026-03-01T00:05:00.000Z')).toBe(expected(r, a, 'http://h/v1/blob/x?m=GET&exp=1&sig=s', '2026-03-01T00:05:00.000Z'));
    const text = await body(release(), full, b, 'http://h/v1/blob/x?m=GET&exp=2&sig="t"', '2026-03-01T00:05:01.000Z');
    expect(text).toBe(expected(r, b, 'http://h/v1/blob/x?m=GET&exp=2&sig="t"', '2026-03-01T00:05:01.000Z'));
    expect(JSON.parse(text)).toMatchObject({ grant: b, release: { id: 'rel_1', status: 'published', recordCount: 2 } });
    expect(loads).toBe(1);
  });

  it('a release without a profile, and another id, are serialized on their own', async () => {
    const body = downloadBodies();
    const g = { recipient: 'age1aaa', header: 'SEVBREVSLUE=' };
    await body(release(), async () => release(), g, 'u', 'e');
    const other = release({ id: 'rel_2', profile: null, payloadSize: 99 });
    expect(await body(other, async () => other, g, 'u', 'e')).toBe(expected(other, g, 'u', 'e'));
    expect(JSON.parse(await body(other, async () => other, g, 'u', 'e')).release).not.toHaveProperty('profile');
  });

  it('refuses a full record that is not the summarised release', async () => {
    const body = downloadBodies();
    const g = { recipient: 'age1aaa', header: 'SEVBREVSLUE=' };
    await expect(body(release(), async () => release({ publishedAt: '2026-03-02T00:00:00.000Z' }), g, 'u', 'e')).rejects.toThrow(/changed/);
  });
});
