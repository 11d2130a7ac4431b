/**
 * Formatting for display: byte sizes, counts, durations, relative times.
 * Pure functions, no DOM, so they are unit-tested directly.
 */

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatCount(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : '—';
}

/** "every 1 day", "every 6 hours"; undefined means no schedule. */
export function formatInterval(seconds: number | undefined | null): string {
  if (!seconds) return 'no schedule';
  const steps: [number, string][] = [[86_400, 'day'], [3_600, 'hour'], [60, 'minute']];
  for (const [size, name] of steps) {
    if (seconds % size === 0 || seconds >= size * 2) {
      const k = Math.round(seconds / size);
      return k === 1 ? `every ${name}` : `every ${k} ${name}s`;
    }
  }
  return `every ${seconds} s`;
}

/** "3 minutes ago" relative to `now`; accepts ISO strings or epoch ms. */
export function formatAgo(at: string | number | null | undefined, now: number = Date.now()): string {
  if (at === null || at === undefined || at === '') return 'never';
  const t = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(t)) return '—';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 45) return 'just now';
  const steps: [number, string][] = [[86_400, 'day'], [3_600, 'hour'], [60, 'minute']];
  for (const [size, name] of steps) {
    if (s >= size) {
      const k = Math.round(s / size);
      return `${k} ${name}${k === 1 ? '' : 's'} ago`;
    }
  }
  return 'just now';
}

/** Percent 0..100 from done/total; unknown totals give undefined (indeterminate bar). */
export function percent(done: number, total: number | undefined | null): number | undefined {
  if (!total || total <= 0) return undefined;
  return Math.max(0, Math.min(100, Math.round((done / total) * 100)));
}
