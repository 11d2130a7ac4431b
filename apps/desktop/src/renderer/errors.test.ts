import { describe, it, expect } from 'vitest';
import { describeError } from './errors.js';

describe('describeError', () => {
  it('uses fixed words where the cause is always the same', () => {
    expect(describeError({ code: 'AUTH_FAILED', message: 'hub said 401 invalid_grant' })).toMatch(/not accepted/);
    expect(describeError({ code: 'AUTH_FAILED', message: 'hub said 401 invalid_grant' })).not.toMatch(/401/);
  });
  it('puts context before the engine message', () => {
    expect(describeError({ code: 'SQL_ERROR', message: 'no such table: x' })).toBe('The query did not run: no such table: x');
    expect(describeError({ code: 'HUB_UNREACHABLE', message: '' })).toMatch(/cannot be reached/);
  });
  it('keeps the engine message for other codes', () => {
    expect(describeError({ code: 'CONFLICT', message: 'You already asked to subscribe to this dataset.' })).toBe('You already asked to subscribe to this dataset.');
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError(42)).toBe('Something went wrong.');
  });
});
