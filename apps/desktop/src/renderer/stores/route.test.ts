import { describe, it, expect } from 'vitest';
import { formatHash, parseHash } from './route.js';

describe('route hash', () => {
  it('round-trips screen and params', () => {
    const r = parseHash('#/data?table=phone_numbers&page=2');
    expect(r).toEqual({ screen: 'data', params: { table: 'phone_numbers', page: '2' } });
    expect(formatHash(r)).toBe('#/data?table=phone_numbers&page=2');
  });
  it('falls back to the catalog for unknown screens', () => {
    expect(parseHash('#/nope').screen).toBe('catalog');
    expect(parseHash('').screen).toBe('catalog');
  });
});
