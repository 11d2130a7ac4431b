/**
 * @module formats/json
 * NDJSON (one object per line, blank lines skipped) and JSON arrays of
 * objects, both streaming. Each record is parsed by the native JSON.parse;
 * the array reader only finds element boundaries itself (depth and string
 * tracking), so one element at a time is held in memory, never the array.
 * Columns are keys in first-seen order; a record with a new key ends the
 * current batch so every batch stays rectangular. Nested objects and arrays
 * become JSON text cells.
 */
import { FormatError, errorAtLine, errorAtRecord } from './errors.js';
import type { BatchBuilder } from './batch.js';
import type { Cell } from './types.js';

/** Writes parsed objects into the batch, growing the column list as keys appear. */
class ObjectRows {
  private readonly index = new Map<string, number>();
  private cols: string[] = [];

  constructor(private readonly out: BatchBuilder) {}

  write(v: unknown, fail: (code: 'FORMAT_NOT_OBJECT', what: string) => FormatError): void {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      throw fail('FORMAT_NOT_OBJECT', `expected a JSON object, found ${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}`);
    }
    const o = v as Record<string, unknown>;
    let grown: string[] | undefined;
    for (const k in o) {
      if (!this.index.has(k)) {
        grown ??= this.cols.slice();
        this.index.set(k, grown.length);
        grown.push(k === '' ? `column_${grown.length + 1}` : k);
      }
    }
    if (grown) {
      this.cols = grown;
      this.out.setColumns(grown);
    }
    const out = this.out;
    const cells = out.cells;
    const at = out.at;
    const w = this.cols.length;
    for (let i = 0; i < w; i++) cells[at + i] = null;
    for (const k in o) cells[at + this.index.get(k)!] = toCell(o[k]);
    out.at = at + w;
    out.endRow();
  }
}

function toCell(v: unknown): Cell {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

function syntaxMessage(e: unknown): string {
  return `invalid JSON (${e instanceof Error ? e.message : String(e)})`;
}

export class NdjsonParser {
  private carry = '';
  private line = 1;
  private readonly rows: ObjectRows;

  constructor(out: BatchBuilder) {
    this.rows = new ObjectRows(out);
  }

  push(text: string, final: boolean): void {
    const s = this.carry.length ? this.carry + text : text;
    const len = s.length;
    let pos = 0;
    while (pos < len) {
      let nl = s.indexOf('\n', pos);
      if (nl < 0) {
        if (!final) break;
        nl = len;
      }
      const lineText = s.slice(pos, nl);
      if (lineText.trim() !== '') {
        let v: unknown;
        try {
          v = JSON.parse(lineText);
        } catch (e) {
          throw errorAtLine('FORMAT_INVALID_JSON', this.line, syntaxMessage(e));
        }
        const line = this.line;
        this.rows.write(v, (code, what) => errorAtLine(code, line, what));
      }
      pos = nl + 1;
      this.line++;
    }
    this.carry = pos >= len ? '' : s.slice(pos);
  }
}

/** Where the array reader is relative to the top-level brackets. */
const Top = { Before: 0, Inside: 1, After: 2 } as const;

export class JsonArrayParser {
  private carry = '';
  /** Where scanning resumes inside `carry`. */
  private scan = 0;
  private depth = 0;
  private top: number = Top.Before;
  private record = 0;
  private readonly rows: ObjectRows;

  constructor(out: BatchBuilder) {
    this.rows = new ObjectRows(out);
  }

  push(text: string, final: boolean): void {
    const s = this.carry.length ? this.carry + text : text;
    const len = s.length;
    let i = this.scan;
    let elemStart = 0;
    if (this.top === Top.Before) {
      while (i < len && isSpace(s.charCodeAt(i))) i++;
      if (i < len) {
        if (s.charCodeAt(i) !== 91) throw new FormatError('FORMAT_NOT_ARRAY', 'expected a JSON array: the text does not start with [');
        this.top = Top.Inside;
        this.depth = 1;
        i++;
        elemStart = i;
      }
    }
    if (this.top === Top.Inside) {
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c === 34) {
          const end = stringEnd(s, i);
          if (end < 0) break; // resume at this opening quote when more text arrives
          i = end;
        } else if (c === 123 || c === 91) {
          this.depth++;
        } else if (c === 125 || c === 93) {
          if (--this.depth === 0) {
            const body = s.slice(elemStart, i);
            if (this.record > 0 || body.trim() !== '') this.element(body);
            this.top = Top.After;
            i++;
            break;
          }
        } else if (c === 44 && this.depth === 1) {
          this.element(s.slice(elemStart, i));
          elemStart = i + 1;
        }
      }
    }
    if (this.top === Top.After) {
      for (; i < len; i++) {
        if (!isSpace(s.charCodeAt(i))) throw errorAtRecord('FORMAT_INVALID_JSON', this.record, 'unexpected content after the closing ]');
      }
      this.carry = '';
      this.scan = 0;
      return;
    }
    if (final) {
      if (this.top === Top.Before) return; // empty input: no records
      throw errorAtRecord('FORMAT_INVALID_JSON', this.record + 1, 'unexpected end of input: the array is never closed');
    }
    const keep = this.top === Top.Before ? i : elemStart;
    this.carry = s.slice(keep);
    this.scan = i - keep;
  }

  private element(body: string): void {
    const n = ++this.record;
    let v: unknown;
    try {
      v = JSON.parse(body);
    } catch (e) {
      throw errorAtRecord('FORMAT_INVALID_JSON', n, syntaxMessage(e));
    }
    this.rows.write(v, (code, what) => errorAtRecord(code, n, what));
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Index of the quote closing the string opened at `open`, or -1 if the text ends first. */
function stringEnd(s: string, open: number): number {
  let j = open + 1;
  for (;;) {
    j = s.indexOf('"', j);
    if (j < 0) return -1;
    let bs = 0;
    for (let k = j - 1; s.charCodeAt(k) === 92; k--) bs++;
    if ((bs & 1) === 0) return j;
    j++;
  }
}
