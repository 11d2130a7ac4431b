/**
 * @module profile/distinct
 * Distinct counting in bounded memory: exact (a native Set) up to a
 * threshold, then HyperLogLog (Flajolet et al. 2007, with linear counting
 * for small ranges). Relative standard error is 1.04/sqrt(2^p): p = 14
 * gives about 0.8% in 16 KiB, p = 16 about 0.4% in 64 KiB.
 *
 * Invariant: the Set never holds more than `exactLimit` values, and values
 * entering it are copied first: a cell may be a slice of a 1 MiB chunk
 * string and would otherwise keep the whole chunk alive.
 */

/** 32-bit FNV-1a over UTF-16 units, finished with murmur3's fmix32 so every output bit depends on every input bit. */
export function hash32(s: string): number {
  let h = 0x811c9dc5 ^ s.length;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class HyperLogLog {
  private readonly registers: Uint8Array;
  private readonly m: number;

  constructor(private readonly p = 14) {
    if (p < 4 || p > 18) throw new RangeError('HyperLogLog precision must be 4..18');
    this.m = 1 << p;
    this.registers = new Uint8Array(this.m);
  }

  /** `h` must be a well-mixed 32-bit hash. */
  add(h: number): void {
    const idx = h >>> (32 - this.p);
    // Remaining bits, with a sentinel so the rank is at most 32 - p + 1.
    const rank = Math.clz32((h << this.p) | (1 << (this.p - 1))) + 1;
    if (rank > this.registers[idx]!) this.registers[idx] = rank;
  }

  estimate(): number {
    const m = this.m;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < m; i++) {
      const r = this.registers[i]!;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / m);
    let e = (alpha * m * m) / sum;
    if (e <= 2.5 * m && zeros > 0) e = m * Math.log(m / zeros);
    else if (e > 2 ** 32 / 30) e = -(2 ** 32) * Math.log(1 - e / 2 ** 32);
    return Math.round(e);
  }

  get byteSize(): number {
    return this.m;
  }
}

/** Forces a flat copy so the stored string does not pin its parent chunk. */
export function detach(v: string): string {
  return v.length < 13 ? v : Buffer.from(v, 'utf8').toString('utf8');
}

export class DistinctCounter {
  private exact: Set<string | number | boolean> | undefined = new Set();
  private hll: HyperLogLog | undefined;

  constructor(
    private readonly exactLimit = 1024,
    private readonly precision = 14,
  ) {}

  add(v: string | number | boolean): void {
    const exact = this.exact;
    if (exact !== undefined) {
      if (exact.has(v)) return;
      exact.add(typeof v === 'string' ? detach(v) : v);
      if (exact.size > this.exactLimit) this.spill(exact);
      return;
    }
    this.hll!.add(hash32(typeof v === 'string' ? v : keyOf(v)));
  }

  private spill(exact: Set<string | number | boolean>): void {
    const hll = new HyperLogLog(this.precision);
    for (const v of exact) hll.add(hash32(typeof v === 'string' ? v : keyOf(v)));
    this.hll = hll;
    this.exact = undefined;
  }

  get isExact(): boolean {
    return this.exact !== undefined;
  }

  /** Values held by the exact Set (0 once spilled to HyperLogLog). */
  get retained(): number {
    return this.exact?.size ?? 0;
  }

  count(): number {
    return this.exact !== undefined ? this.exact.size : this.hll!.estimate();
  }
}

/** Non-strings hash under a prefix so 12 and "12" stay distinct, as they are in the exact Set. */
function keyOf(v: number | boolean): string {
  return `\u0000${typeof v === 'number' ? 'n' : 'b'}${String(v)}`;
}
