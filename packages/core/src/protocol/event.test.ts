import { describe, it, expect } from 'vitest';
import { EVENT_TYPES, EventIdSchema, EventSchema, SUBSCRIPTION_EVENT_TYPES, compareEventIds, parseEvent } from './event.js';

const published = {
  id: '42',
  type: 'DATA_PUBLISHED',
  createdAt: '2025-01-27T14:00:00Z',
  data: {
    producerId: 'acc_ringboost',
    datasetId: 'ds_phone-numbers',
    releaseId: 'rel_1',
    fileSize: 1048576,
    recordCount: 50000,
    timestamp: '2025-01-27T14:00:00Z',
    checksum: 'sha256:' + 'ab'.repeat(32),
    schemaVersion: 'v2.1',
    metadata: { dataType: 'phone_numbers', coverage: 'US_CANADA', futureKey: 1 },
  },
};

describe('events', () => {
  it('parses the seed-shaped DATA_PUBLISHED and keeps unknown metadata keys', () => {
    const e = EventSchema.parse(published);
    expect(e.type).toBe('DATA_PUBLISHED');
    if (e.type === 'DATA_PUBLISHED') expect(e.data.metadata['futureKey']).toBe(1);
  });

  it('rejects a storage URL in place of a release, bad checksums and wrong data for the type', () => {
    expect(EventSchema.safeParse({ ...published, data: { ...published.data, releaseId: 's3://bucket/2025/data.enc' } }).success).toBe(false);
    expect(EventSchema.safeParse({ ...published, data: { ...published.data, checksum: 'abcd1234' } }).success).toBe(false);
    expect(EventSchema.safeParse({ ...published, type: 'DATA_LATE' }).success).toBe(false);
    expect(EventSchema.safeParse({ ...published, id: '042' }).success).toBe(false);
  });

  it('covers every subscription event with the same payload', () => {
    const data = { subscriptionId: 's1', datasetId: 'd1', consumerId: 'c1', producerId: 'p1', status: 'approved' };
    for (const type of SUBSCRIPTION_EVENT_TYPES) {
      expect(EventSchema.parse({ id: '1', type, createdAt: '2025-01-27T14:00:00Z', data }).type).toBe(type);
    }
    expect(EventSchema.safeParse({ id: '1', type: 'SUBSCRIPTION_APPROVED', createdAt: '2025-01-27T14:00:00Z', data: { ...data, status: 'done' } }).success).toBe(false);
    expect(EVENT_TYPES).toHaveLength(1 + SUBSCRIPTION_EVENT_TYPES.length + 4);
  });

  it('freshness events allow a dataset that never released', () => {
    const late = { id: '7', type: 'DATA_LATE', createdAt: '2025-01-27T14:00:00Z', data: { datasetId: 'd', producerId: 'p', expectedBy: '2025-01-27T13:00:00Z', lastReleaseAt: null } };
    expect(EventSchema.parse(late).type).toBe('DATA_LATE');
  });

  it('parseEvent skips unknown types but not malformed envelopes', () => {
    expect(parseEvent({ id: '9', type: 'SOMETHING_NEW', createdAt: '2025-01-27T14:00:00Z', data: {} })).toBeNull();
    expect(parseEvent(published)?.id).toBe('42');
    expect(() => parseEvent({ type: 'DATA_PUBLISHED' })).toThrow();
  });

  it('event ids are decimal and compare numerically', () => {
    expect(compareEventIds('9', '10')).toBeLessThan(0);
    for (const bad of ['', '-1', '1.0', 'abc', '99999999999999999']) expect(EventIdSchema.safeParse(bad).success, bad).toBe(false);
    expect(EventIdSchema.safeParse(String(Number.MAX_SAFE_INTEGER)).success).toBe(true);
  });
});
