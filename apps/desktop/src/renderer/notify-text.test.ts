import { describe, it, expect } from 'vitest';
import { arrivalText } from '../shared/events.js';
import type { Arrival } from '../shared/models.js';
import { arrivalBody } from './notify-text.js';

const base: Arrival = { datasetId: 'ds1', datasetName: 'US numbers', releaseId: 'r1', rows: 0, producer: 'Acme Telecom', table: 'us_numbers', importedAt: '2025-01-01T00:00:00Z' };

describe('arrivalBody', () => {
  it('reads exactly like the native notification for any count', () => {
    for (const rows of [0, 1, 2, 1234567]) {
      expect(arrivalBody({ ...base, rows })).toBe(arrivalText({ ...base, rows }).body);
    }
    expect(arrivalBody({ ...base, rows: 1234567 })).toBe('Acme Telecom published US numbers: 1,234,567 records');
  });
});
