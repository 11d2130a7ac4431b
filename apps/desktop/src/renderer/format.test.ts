import { describe, it, expect } from 'vitest';
import { formatAgo, formatBytes, formatInterval, percent } from './format.js';

describe('renderer format', () => {
  it('formats sizes in decimal units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1_500)).toBe('1.5 KB');
    expect(formatBytes(250_000_000)).toBe('250 MB');
    expect(formatBytes(-1)).toBe('—');
  });
  it('names update intervals', () => {
    expect(formatInterval(undefined)).toBe('no schedule');
    expect(formatInterval(86_400)).toBe('every day');
    expect(formatInterval(6 * 3_600)).toBe('every 6 hours');
    expect(formatInterval(900)).toBe('every 15 minutes');
  });
  it('says how long ago', () => {
    const now = Date.parse('2025-01-02T00:00:00Z');
    expect(formatAgo('2025-01-01T23:59:30Z', now)).toBe('just now');
    expect(formatAgo('2025-01-01T23:57:00Z', now)).toBe('3 minutes ago');
    expect(formatAgo('2025-01-01T00:00:00Z', now)).toBe('1 day ago');
    expect(formatAgo(null, now)).toBe('never');
  });
  it('clamps progress and leaves unknown totals indeterminate', () => {
    expect(percent(50, 200)).toBe(25);
    expect(percent(300, 200)).toBe(100);
    expect(percent(10, 0)).toBeUndefined();
  });
});
