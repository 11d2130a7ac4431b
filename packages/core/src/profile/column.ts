/**
 * @module profile/column
 * What one streaming pass learns about one column, in constant memory.
 *
 * Type choice: the most specific type (boolean, date, datetime, phone_e164,
 * integer, real, then text) that at least TYPE_THRESHOLD (99%) of the
 * non-null values satisfy; text always qualifies. 99% rather than 100%
 * so one stray "N/A" in a million numbers does not make the column text;
 * the stray values show up as `validity` < 1 instead.
 * `validity` = share of non-null values that satisfy the chosen type.
 * Shapes (each value's own most specific type, plus whether a JSON value
 * was a string) feed the consistency metric: a real column written
 * half as "3" and half as "3.5" is valid but not consistent.
 */
import type { ColumnProfile } from '../protocol/profile.js';
import { BOOLEAN, DATETIME, REAL, TEXT_INDEX, TYPE_ORDER, classifyNumber, classifyString, lastDateKey, ownType } from './classify.js';
import { DistinctCounter, detach } from './distinct.js';

export const TYPE_THRESHOLD = 0.99;
/** Offset in `seen` for JSON numbers and booleans: their shape differs from the same value as a string. */
const NATIVE = 1 << 6;

export class ColumnStats {
  nonNull = 0;
  /**
   * Values seen per (classification mask, native?) — one increment per cell;
   * type and shape counts are derived from it once, at the end.
   */
  private readonly seen = new Float64Array(2 * NATIVE);
  private maxLength = 0;
  private numMin = Infinity;
  private numMax = -Infinity;
  private timeMin: string | undefined;
  private timeMax: string | undefined;
  private timeMinKey = Infinity;
  private timeMaxKey = -Infinity;
  /** The previous value and its slot in `seen`: sorted and clustered columns repeat a lot. */
  private last: string | number | boolean | null = null;
  private lastSlot = 0;

  constructor(
    readonly name: string,
    /** Injected for a key column, which needs a larger exact limit. */
    readonly distinct = new DistinctCounter(),
  ) {}

  add(v: string | number | boolean | null): void {
    if (v === null) return;
    this.nonNull++;
    if (v === this.last) {
      this.seen[this.lastSlot]!++;
      return;
    }
    let slot: number;
    if (typeof v === 'string') {
      if (v.length > this.maxLength) this.maxLength = v.length;
      slot = classifyString(v);
      if (slot & REAL) this.number(Number(v));
      else if (slot & DATETIME) this.time(v, lastDateKey());
    } else if (typeof v === 'number') {
      const mask = classifyNumber(v);
      slot = NATIVE + mask;
      if (mask & REAL) this.number(v);
    } else {
      slot = NATIVE + BOOLEAN;
    }
    this.last = v;
    this.lastSlot = slot;
    this.seen[slot]!++;
    this.distinct.add(v);
  }

  private number(x: number): void {
    if (x < this.numMin) this.numMin = x;
    if (x > this.numMax) this.numMax = x;
  }

  private time(s: string, k: number): void {
    // Copy: a cell may be a slice of a whole chunk, which must not stay pinned.
    if (k < this.timeMinKey) {
      this.timeMinKey = k;
      this.timeMin = detach(s);
    }
    if (k > this.timeMaxKey) {
      this.timeMaxKey = k;
      this.timeMax = detach(s);
    }
  }

  /** Index into TYPE_ORDER of the chosen type, and how many values satisfy it. */
  chosen(): { index: number; valid: number } {
    const need = TYPE_THRESHOLD * this.nonNull;
    if (this.nonNull > 0) {
      for (let t = 0; t < TEXT_INDEX; t++) {
        let n = 0;
        for (let slot = 0; slot < this.seen.length; slot++) if (slot & (1 << t)) n += this.seen[slot]!;
        if (n >= need) return { index: t, valid: n };
      }
    }
    return { index: TEXT_INDEX, valid: this.nonNull };
  }

  /** Share of non-null values written in the column's dominant shape (1 when empty). */
  consistency(): number {
    if (this.nonNull === 0) return 1;
    const shapes = new Float64Array(2 * NATIVE);
    for (let slot = 0; slot < this.seen.length; slot++) {
      shapes[(slot & NATIVE) + ownType(slot & (NATIVE - 1))]! += this.seen[slot]!;
    }
    let best = 0;
    for (const n of shapes) if (n > best) best = n;
    return best / this.nonNull;
  }

  toProfile(recordCount: number): ColumnProfile {
    const { index, valid } = this.chosen();
    const type = TYPE_ORDER[index]!;
    const p: ColumnProfile = {
      name: this.name,
      type,
      nullCount: recordCount - this.nonNull,
      distinctEstimate: Math.min(this.distinct.count(), this.nonNull),
      validity: this.nonNull === 0 ? 1 : valid / this.nonNull,
    };
    if ((type === 'integer' || type === 'real') && this.numMin <= this.numMax) {
      p.min = this.numMin;
      p.max = this.numMax;
    } else if ((type === 'date' || type === 'datetime') && this.timeMin !== undefined) {
      p.min = this.timeMin;
      p.max = this.timeMax!;
    } else if (type === 'text' || type === 'phone_e164') {
      p.maxLength = this.maxLength;
    }
    return p;
  }
}
