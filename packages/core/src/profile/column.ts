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
 * `shapes` counts each value's own most specific type (plus whether a JSON
 * value was a string) for the consistency metric: a real column written
 * half as "3" and half as "3.5" is valid but not consistent.
 */
import type { ColumnProfile } from '../protocol/profile.js';
import { DATETIME, REAL, TEXT_INDEX, TYPE_ORDER, classifyNumber, classifyString, ownType } from './classify.js';
import { DistinctCounter, detach } from './distinct.js';

export const TYPE_THRESHOLD = 0.99;
/** Shape index offset for JSON numbers and booleans (non-strings). */
const NATIVE = TEXT_INDEX + 1;

export class ColumnStats {
  nonNull = 0;
  private readonly typeCounts = new Float64Array(TEXT_INDEX);
  private readonly shapes = new Float64Array(2 * NATIVE);
  private maxLength = 0;
  private numMin = Infinity;
  private numMax = -Infinity;
  private timeMin: string | undefined;
  private timeMax: string | undefined;
  readonly distinct = new DistinctCounter();

  constructor(readonly name: string) {}

  add(v: string | number | boolean | null): void {
    if (v === null) return;
    this.nonNull++;
    let mask: number;
    let shape: number;
    if (typeof v === 'string') {
      if (v.length > this.maxLength) this.maxLength = v.length;
      mask = classifyString(v);
      shape = ownType(mask);
      if (mask & REAL) this.number(Number(v));
      else if (mask & DATETIME) this.time(v);
    } else if (typeof v === 'number') {
      mask = classifyNumber(v);
      shape = NATIVE + ownType(mask);
      if (mask & REAL) this.number(v);
    } else {
      mask = 1; // BOOLEAN
      shape = NATIVE;
    }
    this.shapes[shape]!++;
    const counts = this.typeCounts;
    while (mask !== 0) {
      const bit = mask & -mask;
      counts[31 - Math.clz32(bit)]!++;
      mask ^= bit;
    }
    this.distinct.add(v);
  }

  private number(x: number): void {
    if (x < this.numMin) this.numMin = x;
    if (x > this.numMax) this.numMax = x;
  }

  private time(s: string): void {
    // ISO strings of one offset sort as text; copy so a chunk is not pinned.
    if (this.timeMin === undefined) {
      this.timeMin = this.timeMax = detach(s);
    } else if (s < this.timeMin) {
      this.timeMin = detach(s);
    } else if (s > this.timeMax!) {
      this.timeMax = detach(s);
    }
  }

  /** Index into TYPE_ORDER of the chosen type, and how many values satisfy it. */
  chosen(): { index: number; valid: number } {
    const need = TYPE_THRESHOLD * this.nonNull;
    if (this.nonNull > 0) {
      for (let t = 0; t < TEXT_INDEX; t++) if (this.typeCounts[t]! >= need) return { index: t, valid: this.typeCounts[t]! };
    }
    return { index: TEXT_INDEX, valid: this.nonNull };
  }

  /** Share of non-null values written in the column's dominant shape (1 when empty). */
  consistency(): number {
    if (this.nonNull === 0) return 1;
    let best = 0;
    for (const n of this.shapes) if (n > best) best = n;
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
