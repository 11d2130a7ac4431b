/**
 * @module freshness/compute
 * Freshness figures of one dataset, pure functions of its schedule, its
 * release times and the time now (formulas in protocol/api-admin.ts):
 *
 *   due(k)   = base + k·I + G, base = last release (or publication), k ≥ 1
 *   missed   = number of k with due(k) ≤ now
 *   score    = 100 before due(1), then round(100 · 2^(−(now − due(1)) / I))
 *   SLA      = met / expected over the interval slots [P + kI, P + (k+1)I)
 *              (P = publication) whose deadline P + (k+1)I + G fell in the
 *              last 30 days; a slot is met if a release was published in
 *              [P + kI, P + (k+1)I + G].
 */
import type { Freshness, FreshnessState } from '@dme/core/protocol';
import type { DatasetRecord } from '../store/datasets.js';
import type { FreshnessRecord } from '../store/freshness.js';

export const SLA_WINDOW_MS = 30 * 86_400_000;

export interface Schedule {
  intervalMs: number;
  graceMs: number;
}

export function scheduleOf(d: DatasetRecord): Schedule | null {
  const interval = d.details.expectedUpdateIntervalSeconds;
  if (typeof interval !== 'number' || interval <= 0) return null;
  const grace = d.details.gracePeriodSeconds;
  return { intervalMs: interval * 1000, graceMs: typeof grace === 'number' && grace > 0 ? grace * 1000 : 0 };
}

/** Where the schedule counts from: the last release, else publication, else creation. */
export function baseOf(d: DatasetRecord): number {
  return Date.parse(d.lastReleaseAt ?? d.publishedAt ?? d.createdAt);
}

export function dueAt(base: number, s: Schedule, k: number): number {
  return base + k * s.intervalMs + s.graceMs;
}

export function missedIntervals(base: number, s: Schedule, now: number): number {
  const over = now - base - s.graceMs;
  return over < s.intervalMs ? 0 : Math.floor(over / s.intervalMs);
}

export function score(base: number, s: Schedule, now: number): number {
  const due = dueAt(base, s, 1);
  if (now < due) return 100;
  return Math.round(100 * 2 ** (-(now - due) / s.intervalMs));
}

/** Slots whose deadline is in (now − 30 d, now], and how many saw a release. `times` ascending (ms). */
export function slaSlots(anchor: number, s: Schedule, times: readonly number[], now: number): { expected: number; met: number } {
  const from = now - SLA_WINDOW_MS;
  // First k whose deadline anchor + (k+1)I + G lies after `from`.
  let k = Math.max(0, Math.floor((from - anchor - s.graceMs) / s.intervalMs));
  let expected = 0;
  let met = 0;
  let i = 0;
  for (; ; k++) {
    const start = anchor + k * s.intervalMs;
    const deadline = start + s.intervalMs + s.graceMs;
    if (deadline > now) break;
    if (deadline <= from) continue;
    expected++;
    while (i < times.length && times[i]! < start) i++;
    if (i < times.length && times[i]! <= deadline) met++;
  }
  return { expected, met };
}

/** Oldest release time slaSlots needs to see. */
export function slaSince(s: Schedule, now: number): string {
  return new Date(now - SLA_WINDOW_MS - 2 * s.intervalMs - s.graceMs).toISOString();
}

export function freshnessView(d: DatasetRecord, row: FreshnessRecord | null, releaseTimes: readonly string[], now: Date): Freshness {
  const s = scheduleOf(d);
  const base = {
    datasetId: d.id,
    lastReleaseAt: d.lastReleaseAt,
    gracePeriodSeconds: typeof d.details.gracePeriodSeconds === 'number' ? d.details.gracePeriodSeconds : 0,
  };
  if (!s) {
    return { ...base, state: 'UNSCHEDULED', expectedUpdateIntervalSeconds: null, expectedBy: null, score: null, slaCompliance: null, intervals30d: { expected: 0, met: 0 }, lateSince: null };
  }
  const t = now.getTime();
  const b = baseOf(d);
  const due = dueAt(b, s, 1);
  const state: FreshnessState = t >= due ? 'LATE' : 'ON_TIME';
  const anchor = Date.parse(d.publishedAt ?? d.createdAt);
  const slots = slaSlots(anchor, s, releaseTimes.map((x) => Date.parse(x)), t);
  return {
    ...base,
    state,
    expectedUpdateIntervalSeconds: s.intervalMs / 1000,
    expectedBy: new Date(due).toISOString(),
    score: score(b, s, t),
    slaCompliance: slots.expected === 0 ? null : slots.met / slots.expected,
    intervals30d: slots,
    // The checker's record names the episode start once it has seen it; before that it is the due time.
    lateSince: state === 'LATE' ? (row?.state === 'LATE' && row.lastReleaseAt === d.lastReleaseAt ? row.lateSince : new Date(due).toISOString()) : null,
  };
}
