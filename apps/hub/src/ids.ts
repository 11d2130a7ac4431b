/**
 * @module ids
 * Sortable random ids: `${prefix}_` + 10 chars of millisecond time + 16 random
 * chars, lowercase Crockford base32 (a ULID spelled lowercase). Sorting ids as
 * strings sorts them by creation time, which keyset pagination relies on.
 * Never contains `_` after the prefix, so API keys can embed an id.
 */
import type { Clock, IdSource } from './deps.js';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function randomChars(n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  let out = '';
  // 256 is a multiple of 32, so `b % 32` is unbiased.
  for (const b of bytes) out += ALPHABET[b % 32];
  return out;
}

export function createIdSource(clock: Clock): IdSource {
  return {
    id(prefix: string): string {
      if (!/^[a-z]+$/.test(prefix)) throw new Error(`id prefix must be lowercase letters: ${prefix}`);
      return `${prefix}_${encodeTime(clock.now().getTime())}${randomChars(16)}`;
    },
  };
}
