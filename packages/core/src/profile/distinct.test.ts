import { describe, expect, it } from 'vitest';
import { DistinctCounter, HyperLogLog, hash32 } from './distinct.js';

describe('DistinctCounter', () => {
  it('is exact up to its limit, then estimates within a few percent and stops retaining values', () => {
    const d = new DistinctCounter(1000, 14);
    for (let i = 0; i < 3000; i++) d.add(`v${i % 900}`);
    expect(d.isExact).toBe(true);
    expect(d.count()).toBe(900);
    for (let i = 0; i < 200_000; i++) d.add(`row-${i}`);
    expect(d.isExact).toBe(false);
    expect(d.retained).toBe(0);
    expect(Math.abs(d.count() - 200_900) / 200_900).toBeLessThan(0.03);
  });

  it('keeps 12 and "12" apart, as a typed column would', () => {
    const d = new DistinctCounter();
    d.add(12);
    d.add('12');
    d.add(12);
    expect(d.count()).toBe(2);
  });
});

describe('HyperLogLog', () => {
  it.each([[100], [5_000], [300_000]])('estimates %i distinct values within 3%% (p=14)', (n) => {
    const h = new HyperLogLog(14);
    for (let i = 0; i < n; i++) {
      h.add(hash32(`k${i}`));
      h.add(hash32(`k${i}`));
    }
    expect(Math.abs(h.estimate() - n) / n).toBeLessThan(0.03);
  });

  it('refuses a precision it cannot store', () => {
    expect(() => new HyperLogLog(2)).toThrow(RangeError);
  });
});
