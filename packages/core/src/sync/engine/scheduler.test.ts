import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, retryDelayMs } from './backoff.js';
import { Scheduler } from './scheduler.js';

describe('Scheduler', () => {
  it('serves one dataset oldest first and datasets round-robin', () => {
    const s = new Scheduler();
    s.enqueue('dA', ['a1', 'a2'], 0);
    s.enqueue('dB', ['b1'], 0);
    const order: string[] = [];
    for (let i = 0; i < 10; i++) {
      const job = s.next(0);
      if (!job) break;
      order.push(job.releaseId);
      s.remove(job);
    }
    expect(order).toEqual(['a1', 'b1', 'a2']);
    expect(s.size).toBe(0);
    expect(s.wakeAt()).toBeUndefined();
  });

  it('a failed head waits for its retry time while another dataset proceeds; later releases wait behind it', () => {
    const s = new Scheduler();
    const [a1] = s.enqueue('dA', ['a1', 'a2'], 0);
    s.enqueue('dB', ['b1'], 0);
    a1!.failures = 1;
    a1!.retryAt = 1_000;
    expect(s.next(10)?.releaseId).toBe('b1');
    s.remove(s.job('b1')!);
    expect(s.next(10)).toBeUndefined();
    expect(s.wakeAt()).toBe(1_000);
    expect(s.hasLater(a1!)).toBe(true);
    expect(s.next(1_000)?.releaseId).toBe('a1');
  });

  it('does not queue a release twice and returns the existing job', () => {
    const s = new Scheduler();
    const [first] = s.enqueue('dA', ['a1'], 0);
    const again = s.enqueue('dA', ['a1', 'a2'], 5);
    expect(again[0]).toBe(first);
    expect(s.size).toBe(2);
  });

  it('dropping a dataset releases everyone waiting on its jobs', async () => {
    const s = new Scheduler();
    const jobs = s.enqueue('dA', ['a1', 'a2'], 0);
    const dropped = s.dropDataset('dA');
    expect(dropped.map((j) => j.releaseId)).toEqual(['a1', 'a2']);
    await Promise.all(jobs.map((j) => j.attempted));
    expect(s.size).toBe(0);
    expect(s.job('a1')).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  const policy = { ...DEFAULT_RETRY, baseMs: 1_000, maxMs: 60_000 };

  it('doubles per failure up to the cap, with ±25 % jitter', () => {
    expect(retryDelayMs(1, policy, () => 0.5)).toBe(1_000);
    expect(retryDelayMs(3, policy, () => 0.5)).toBe(4_000);
    expect(retryDelayMs(20, policy, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(3, policy, () => 0)).toBe(3_000);
    expect(retryDelayMs(3, policy, () => 0.999999)).toBe(5_000);
  });
});
