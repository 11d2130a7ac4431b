/**
 * @module profile/render
 * A FileProfile as a plain-text table for terminals (`dme profile FILE`).
 * Pure: no colour codes, no I/O; fits 100 columns for typical files.
 */
import type { ColumnProfile, FileProfile } from '../protocol/profile.js';

// Made on first use: building a NumberFormat loads ICU's locale data (24 ms of every `dme` start when made at import).
let formatter: Intl.NumberFormat | undefined;
const int = {
  format: (n: number): string => (formatter ??= new Intl.NumberFormat('en-US')).format(n),
};

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function bytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function range(c: ColumnProfile): string {
  if (c.min !== undefined && c.max !== undefined) {
    const f = (v: string | number) => (typeof v === 'number' ? int.format(v) : v);
    return `${f(c.min)} … ${f(c.max)}`;
  }
  return c.maxLength !== undefined ? `max length ${c.maxLength}` : '';
}

function table(header: string[], rows: string[][], right: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function renderProfile(p: FileProfile): string {
  const head = `${p.format.toUpperCase()}${p.compressed ? ' (gzip)' : ''}, ${int.format(p.recordCount)} records, ${p.columns.length} columns, ${bytes(p.bytes)} plaintext`;
  const keys = new Set(p.keyColumns ?? []);
  const rows = p.columns.map((c) => [
    clip(c.name, 32) + (keys.has(c.name) ? ' *' : ''),
    c.type,
    int.format(c.nullCount),
    (c.distinctEstimate > 1024 ? '≈' : '') + int.format(c.distinctEstimate),
    pct(c.validity),
    clip(range(c), 48),
  ]);
  const body = p.columns.length
    ? table(['column', 'type', 'nulls', 'distinct', 'valid', 'range'], rows, [false, false, true, true, true, false])
    : '(no columns)';
  const q = p.quality;
  const quality = [
    `completeness ${pct(q.completeness)}`,
    `validity ${pct(q.validity)}`,
    `consistency ${pct(q.consistency)}`,
    ...(q.uniqueness !== undefined ? [`key uniqueness ${pct(q.uniqueness)}`] : []),
  ].join(' · ');
  const keyNote = keys.size ? `\n* key column${keys.size > 1 ? 's' : ''}: ${[...keys].join(', ')}` : '';
  return `${head}\n\n${body}${keyNote}\n\nQuality score ${q.overallScore.toFixed(1)}/100 — ${quality}\n`;
}
