/**
 * @module profile/profile
 * One streaming pass over a data file → its FileProfile (protocol/profile).
 * Memory is flat in the file size: per column a few counters, at most 1,024
 * exact distinct values then a 16 KiB HyperLogLog; for the key, at most
 * 131,072 exact values then a 64 KiB HyperLogLog; plus one batch of rows.
 * The result is checked against FileProfileSchema before it is returned.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { readRecords, type ByteSource, type Cell, type FileFormat, type RecordBatch } from '../formats/index.js';
import { FileProfileSchema, type FileProfile } from '../protocol/profile.js';
import { ColumnStats } from './column.js';
import { DistinctCounter } from './distinct.js';
import { ProfileError } from './errors.js';
import { computeQuality } from './quality.js';

export interface ProfileOptions {
  /** Overrides detection from the name and first bytes. */
  format?: FileFormat;
  /** Helps detection (extension); profileFile passes the path's base name. */
  fileName?: string;
  /** Column(s) that should identify a record; enables the uniqueness metric. */
  keyColumns?: string[];
  /** Called after each batch, e.g. for a progress bar. */
  onProgress?: (p: { records: number; bytes: number }) => void;
}

const KEY_EXACT_LIMIT = 1 << 17;
const KEY_PRECISION = 16;
/** Unit separator: cannot collide with ordinary text when joining a composite key. */
const KEY_SEP = '\u001f';

/** Distinct values of a composite key (its cells joined). */
class KeyTracker {
  readonly distinct = new DistinctCounter(KEY_EXACT_LIMIT, KEY_PRECISION);
  private idx: number[] = [];

  constructor(readonly names: readonly string[]) {}

  /** Positions of the key columns in `columns`; -1 while a JSON key has not appeared yet. */
  resolve(columns: readonly string[]): void {
    this.idx = this.names.map((n) => columns.indexOf(n));
  }

  addBatch(cells: Cell[], rows: number, w: number): void {
    const idx = this.idx;
    const d = this.distinct;
    const parts: string[] = new Array<string>(idx.length);
    nextRow: for (let r = 0; r < rows; r++) {
      for (let j = 0; j < idx.length; j++) {
        const v = idx[j]! < 0 ? null : cells[r * w + idx[j]!]!;
        if (v === null) continue nextRow; // a key with a null part identifies nothing
        parts[j] = typeof v === 'string' ? v : JSON.stringify(v);
      }
      d.add(parts.join(KEY_SEP));
    }
  }
}

/**
 * Accumulates a profile batch by batch. profileStream drives it; an importer
 * can feed it the batches it is already reading to profile in the same pass.
 */
export class FileProfiler {
  private readonly stats: ColumnStats[] = [];
  /** Composite keys only; a single key column counts its distinct values in its own ColumnStats. */
  private readonly keys: KeyTracker | undefined;
  private readonly singleKey: DistinctCounter | undefined;
  private cols: readonly string[] = [];

  constructor(private readonly keyNames?: readonly string[]) {
    if (keyNames !== undefined && (keyNames.length === 0 || new Set(keyNames).size !== keyNames.length)) {
      throw new ProfileError('PROFILE_BAD_OPTIONS', 'keyColumns must name at least one column, each once');
    }
    if (keyNames?.length === 1) this.singleKey = new DistinctCounter(KEY_EXACT_LIMIT, KEY_PRECISION);
    else if (keyNames) this.keys = new KeyTracker(keyNames);
  }

  addBatch(b: RecordBatch): void {
    if (b.columns !== this.cols) this.setColumns(b.columns);
    const stats = this.stats;
    const w = b.columns.length;
    const cells = b.cells;
    const end = b.rowCount * w;
    // Column-major: each inner loop sees one column's values, so add() stays monomorphic and predictable.
    for (let c = 0; c < w; c++) {
      const st = stats[c]!;
      for (let i = c; i < end; i += w) st.add(cells[i]!);
    }
    this.keys?.addBatch(cells, b.rowCount, w);
  }

  private setColumns(columns: readonly string[]): void {
    this.cols = columns;
    for (let i = this.stats.length; i < columns.length; i++) {
      const name = columns[i]!;
      this.stats.push(new ColumnStats(name, this.singleKey && name === this.keyNames![0] ? this.singleKey : undefined));
    }
    this.keys?.resolve(columns);
  }

  /** Values held in exact distinct sets right now: the profiler's only state that grows with the data, and it is capped. */
  retainedValues(): number {
    return this.stats.reduce((n, s) => n + s.distinct.retained, 0) + (this.keys?.distinct.retained ?? 0);
  }

  finish(file: { format: FileFormat; compressed: boolean; bytes: number; columns: readonly string[]; recordCount: number }): FileProfile {
    if (file.columns.length > this.stats.length) this.setColumns(file.columns); // header-only file: no batch came
    const keyNames = this.keyNames;
    if (keyNames) {
      const missing = keyNames.filter((k) => !file.columns.includes(k));
      if (missing.length) {
        const names = missing.map((m) => `"${m}"`).join(', ');
        throw new ProfileError('PROFILE_UNKNOWN_KEY_COLUMN', `key column ${names} not in the file (columns: ${file.columns.join(', ')})`);
      }
    }
    const n = file.recordCount;
    const keyDistinct = this.singleKey ?? this.keys?.distinct;
    const uniqueness = keyDistinct ? (n === 0 ? 1 : Math.min(1, keyDistinct.count() / n)) : undefined;
    const profile: FileProfile = {
      format: file.format,
      compressed: file.compressed,
      recordCount: n,
      bytes: file.bytes,
      columns: this.stats.map((s) => s.toProfile(n)),
      quality: computeQuality(this.stats, n, uniqueness),
    };
    if (keyNames) profile.keyColumns = [...keyNames];
    return FileProfileSchema.parse(profile);
  }
}

export async function profileStream(source: ByteSource, opts: ProfileOptions = {}): Promise<FileProfile> {
  const profiler = new FileProfiler(opts.keyColumns);
  const reader = readRecords(source, { format: opts.format, fileName: opts.fileName });
  for await (const b of reader) {
    profiler.addBatch(b);
    opts.onProgress?.({ records: reader.recordCount, bytes: reader.bytes });
  }
  return profiler.finish({
    format: reader.format ?? 'csv',
    compressed: reader.compressed,
    bytes: reader.bytes,
    columns: reader.columns,
    recordCount: reader.recordCount,
  });
}

export async function profileFile(path: string, opts: ProfileOptions = {}): Promise<FileProfile> {
  // 256 KiB reads: fewer trips through the thread pool than the 64 KiB
  // default; the reader decodes them in 64 KiB slices either way.
  const stream = createReadStream(path, { highWaterMark: 1 << 18 });
  try {
    return await profileStream(stream, { ...opts, fileName: opts.fileName ?? basename(path) });
  } finally {
    stream.destroy();
  }
}
