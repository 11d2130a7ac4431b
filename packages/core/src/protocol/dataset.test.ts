import { describe, it, expect } from 'vitest';
import { DatasetCreateSchema, DatasetSchema, DatasetUpdateSchema } from './dataset.js';

const create = {
  name: 'US phone number inventory',
  slug: 'us-phone-numbers',
  format: 'csv',
  columns: [
    { name: 'number', type: 'phone_e164', nullable: false },
    { name: 'status', type: 'text', nullable: true, description: 'available / reserved' },
  ],
  importMode: 'incremental',
  keyColumns: ['number'],
  expectedUpdateIntervalSeconds: 86_400,
  dataType: 'phone_numbers',
  coverage: 'US_CANADA',
  license: { type: 'commercial', terms: 'internal use only' },
  pricing: { model: 'SUBSCRIPTION', amountMinor: 29_900, currency: 'USD' },
  timeRange: { start: '2024-01-01T00:00:00Z' },
};

function messages(result: { success: boolean; error?: { issues: { message: string }[] } }): string[] {
  return result.error?.issues.map((i) => i.message) ?? [];
}

describe('DatasetCreate', () => {
  it('accepts a full create and fills defaults', () => {
    const d = DatasetCreateSchema.parse(create);
    expect(d.gracePeriodSeconds).toBe(3600);
    expect(d.compression).toBe('none');
    expect(d.tags).toEqual([]);
    const minimal = DatasetCreateSchema.parse({ name: 'x', slug: 'x', format: 'ndjson' });
    expect(minimal.importMode).toBe('snapshot');
    expect(minimal.keyColumns).toEqual([]);
  });

  it('requires a key column for incremental imports', () => {
    const r = DatasetCreateSchema.safeParse({ ...create, keyColumns: [] });
    expect(r.success).toBe(false);
    expect(messages(r)).toContain('an incremental dataset needs at least one key column');
    expect(DatasetCreateSchema.safeParse({ ...create, keyColumns: undefined }).success).toBe(false);
  });

  it('rejects duplicate columns, unknown key columns, bad enums and unknown fields', () => {
    expect(DatasetCreateSchema.safeParse({ ...create, columns: [...create.columns, create.columns[0]] }).success).toBe(false);
    expect(messages(DatasetCreateSchema.safeParse({ ...create, keyColumns: ['nope'] }))).toContain('key column nope is not a declared column');
    expect(DatasetCreateSchema.safeParse({ ...create, format: 'parquet' }).success).toBe(false);
    expect(DatasetCreateSchema.safeParse({ ...create, importMode: 'append' }).success).toBe(false);
    expect(DatasetCreateSchema.safeParse({ ...create, coverage: 'us canada' }).success).toBe(false);
    expect(DatasetCreateSchema.safeParse({ ...create, columns: [{ name: '1st', type: 'text', nullable: true }], keyColumns: ['1st'] }).success).toBe(false);
    expect(DatasetCreateSchema.safeParse({ ...create, columns: [{ name: 'a', type: 'float', nullable: true }], keyColumns: ['a'] }).success).toBe(false);
    expect(DatasetCreateSchema.safeParse({ ...create, status: 'PUBLISHED' }).success).toBe(false);
    expect(DatasetCreateSchema.safeParse({ ...create, pricing: { model: 'SUBSCRIPTION', amountMinor: 2.5, currency: 'USD' } }).success).toBe(false);
    expect(DatasetCreateSchema.safeParse({ ...create, timeRange: { start: '2024-02-01T00:00:00Z', end: '2024-01-01T00:00:00Z' } }).success).toBe(false);
    expect(DatasetCreateSchema.safeParse({ ...create, expectedUpdateIntervalSeconds: 5 }).success).toBe(false);
  });
});

describe('DatasetUpdate and Dataset', () => {
  it('accepts partial updates, not empty ones or admin-only statuses', () => {
    expect(DatasetUpdateSchema.parse({ description: 'new' })).toEqual({ description: 'new' });
    expect(DatasetUpdateSchema.parse({ status: 'ARCHIVED' })).toEqual({ status: 'ARCHIVED' });
    expect(DatasetUpdateSchema.safeParse({}).success).toBe(false);
    expect(DatasetUpdateSchema.safeParse({ status: 'SUSPENDED' }).success).toBe(false);
    expect(DatasetUpdateSchema.safeParse({ importMode: 'incremental', keyColumns: [] }).success).toBe(false);
    expect(DatasetUpdateSchema.safeParse({ producerId: 'other' }).success).toBe(false);
    expect(DatasetUpdateSchema.parse({ expectedUpdateIntervalSeconds: null, license: null })).toEqual({ expectedUpdateIntervalSeconds: null, license: null });
    expect(DatasetUpdateSchema.safeParse({ name: null }).success).toBe(false);
  });

  it('a stored dataset keeps the same invariants', () => {
    const stored = {
      ...DatasetCreateSchema.parse(create),
      id: 'ds_1',
      producerId: 'acc_p',
      status: 'PUBLISHED',
      createdAt: '2025-01-01T00:00:00Z',
      updatedAt: '2025-01-02T00:00:00Z',
    };
    expect(DatasetSchema.parse(stored).status).toBe('PUBLISHED');
    expect(DatasetSchema.safeParse({ ...stored, status: 'LIVE' }).success).toBe(false);
    expect(DatasetSchema.safeParse({ ...stored, keyColumns: [] }).success).toBe(false);
  });
});
