/**
 * The in-app notification text for an arrival. It must read exactly like the
 * native notification (shared/events.ts `arrivalText`); it is repeated here
 * only because importing shared/events.ts would ship zod (~90 KB) in the page
 * bundle. notify-text.test.ts holds the two equal.
 */
import type { Arrival } from '../shared/models.js';

export function arrivalBody(a: Arrival): string {
  const n = a.rows.toLocaleString('en-US');
  return `${a.producer} published ${a.datasetName}: ${n} ${a.rows === 1 ? 'record' : 'records'}`;
}
