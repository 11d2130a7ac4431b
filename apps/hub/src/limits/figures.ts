/**
 * @module limits/figures
 * What the limiter's checks need on every request, remembered so that the
 * hot path reads no database and builds no new strings to look things up:
 * month figures (per second of clock time), payload sizes of published
 * releases, download bytes used per account (per second), and the bucket
 * names of accounts, keys and addresses. Every memo is bounded.
 */
import type { HubDeps } from '../deps.js';
import { monthLengthSec, monthOf, monthStart, nextMonthStart, secondsToMonthEnd } from './policy.js';

/** Month name, length and time to reset, recomputed once per second of clock time. */
export function monthCache() {
  let sec = NaN;
  let value = { month: '', lengthSec: 0, resetSec: 0 };
  return (now: Date) => {
    const s = Math.floor(now.getTime() / 1000);
    if (s !== sec) {
      sec = s;
      value = { month: monthOf(now), lengthSec: monthLengthSec(now), resetSec: secondsToMonthEnd(now) };
    }
    return value;
  };
}

/**
 * Payload sizes of published releases, which never change: the bandwidth check
 * runs on every download and must not read (and parse) the release row each time.
 */
export function payloadSizes(deps: HubDeps, max = 10_000) {
  const sizes = new Map<string, number>();
  const read = async (releaseId: string): Promise<number> => {
    const release = await deps.store.releases.get(releaseId);
    if (!release) return 0;
    if (release.status === 'published') {
      if (sizes.size >= max) sizes.delete(sizes.keys().next().value as string);
      sizes.set(releaseId, release.payloadSize);
    }
    return release.payloadSize;
  };
  // A number at once when known: no promise (and no await) on the hot path.
  return (releaseId: string): Promise<number> | number => sizes.get(releaseId) ?? read(releaseId);
}

/**
 * Download bytes used this month per account: read from the usage table at most
 * once a second per account and advanced locally by the downloads served in
 * between, so the check costs no query on the hot path (it was most of the
 * limiter's cost on the download route). Downloads served by another hub process
 * are seen within a second, as with the write-behind call counter. A download
 * that lands between a read and its own local count may be counted twice until
 * the next read: the error is on the strict side and lasts at most a second.
 */
export function bandwidthUsed(deps: HubDeps, freshMs = 1000, max = 10_000) {
  const seen = new Map<string, { bytes: number; atMs: number; month: string }>();
  const read = async (accountId: string, now: Date, month: string): Promise<number> => {
    const bytes = await deps.store.quotas.downloadBytes(accountId, monthStart(now).toISOString(), nextMonthStart(now).toISOString());
    if (!seen.has(accountId) && seen.size >= max) seen.delete(seen.keys().next().value as string);
    seen.set(accountId, { bytes, atMs: now.getTime(), month });
    return bytes;
  };
  return {
    /** A number at once while the figure is fresh, a promise when it must be read. */
    get(accountId: string, now: Date, month: string): Promise<number> | number {
      const known = seen.get(accountId);
      const age = known ? now.getTime() - known.atMs : Infinity;
      if (known && known.month === month && age >= 0 && age < freshMs) return known.bytes;
      return read(accountId, now, month);
    },
    add(accountId: string, bytes: number): void {
      const known = seen.get(accountId);
      if (known) known.bytes += bytes;
    },
  };
}

/**
 * `prefix + id`, built once per id: the same string object then serves every lookup of the
 * bucket (V8 keeps a string's hash on it; a new concatenation per request hashes again).
 */
export function bucketNames(prefix: string, max = 10_000): (id: string) => string {
  const names = new Map<string, string>();
  return (id) => {
    let name = names.get(id);
    if (name === undefined) {
      if (names.size >= max) names.clear();
      name = prefix + id;
      names.set(id, name);
    }
    return name;
  };
}
