/**
 * @module profile/quality
 * The GreyBase quality metrics of a file, each 0..1, and one overall score.
 *
 * - completeness = 1 − null cells / all cells (records × columns).
 * - validity     = non-null cells that satisfy their column's inferred type
 *                  / all non-null cells.
 * - consistency  = mean over non-empty columns of the share of values in the
 *                  column's dominant written form (own most specific type,
 *                  and for JSON whether it was a string or a native value).
 * - uniqueness   = distinct non-null key values / records, for the key
 *                  column(s) the producer names (composite keys combine
 *                  their cells). Exact up to 131,072 keys, then HyperLogLog
 *                  (±0.4%); absent when no key is named.
 * overallScore = 100 × weighted mean, rounded to one decimal:
 *   with a key:    0.3 completeness + 0.3 validity + 0.2 consistency + 0.2 uniqueness
 *   without a key: 0.375 completeness + 0.375 validity + 0.25 consistency
 * (the same relative weights, renormalised). An empty file scores 100:
 * nothing in it is wrong, and the record count says the rest.
 * GreyBase's accuracy and timeliness need outside references (ground truth,
 * the publishing schedule) and are left to the hub's freshness tracking.
 */
import type { QualityMetrics } from '../protocol/profile.js';
import type { ColumnStats } from './column.js';

export function computeQuality(columns: readonly ColumnStats[], recordCount: number, uniqueness?: number): QualityMetrics {
  const cells = recordCount * columns.length;
  let nonNull = 0;
  let valid = 0;
  let consistencySum = 0;
  let nonEmpty = 0;
  for (const c of columns) {
    nonNull += c.nonNull;
    valid += c.chosen().valid;
    if (c.nonNull > 0) {
      consistencySum += c.consistency();
      nonEmpty++;
    }
  }
  const completeness = cells === 0 ? 1 : nonNull / cells;
  const validity = nonNull === 0 ? 1 : valid / nonNull;
  const consistency = nonEmpty === 0 ? 1 : consistencySum / nonEmpty;
  const score =
    uniqueness === undefined
      ? 0.375 * completeness + 0.375 * validity + 0.25 * consistency
      : 0.3 * completeness + 0.3 * validity + 0.2 * consistency + 0.2 * uniqueness;
  const q: QualityMetrics = { completeness, validity, consistency, overallScore: Math.round(score * 1000) / 10 };
  if (uniqueness !== undefined) q.uniqueness = uniqueness;
  return q;
}
