/**
 * @module sync/import/wire
 * How converted rows cross from the parse worker to the writing thread
 * cheaply. Structured-cloning an array of strings costs the receiver about
 * as much as parsing did, so a batch travels as ONE string, its values
 * joined by SEP, plus a byte per value marking nulls; the receiver splits it
 * (a single native call). Values the text form cannot carry exactly (a text
 * containing SEP, a non-integer number) send the batch as a plain array.
 * Integers travel as digits: STRICT INTEGER/REAL columns coerce such text
 * losslessly back to numbers, and TEXT columns only ever receive strings.
 */
import type { SqlValue } from './convert.js';

export const SEP = '\u0000';

export type WireValues = { text: string; count: number; nulls?: Uint8Array } | { values: SqlValue[] };

export function encodeValues(values: readonly SqlValue[]): WireValues {
  const n = values.length;
  const parts = new Array<string>(n);
  let nulls: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (typeof v === 'string') {
      if (v.includes(SEP)) return { values: values.slice() };
      parts[i] = v;
    } else if (v === null) {
      (nulls ??= new Uint8Array(n))[i] = 1;
      parts[i] = '';
    } else if (typeof v === 'bigint' || Number.isSafeInteger(v)) {
      parts[i] = String(v);
    } else {
      return { values: values.slice() };
    }
  }
  return nulls ? { text: parts.join(SEP), count: n, nulls } : { text: parts.join(SEP), count: n };
}

export function decodeValues(w: WireValues): SqlValue[] {
  if ('values' in w) return w.values;
  const out: SqlValue[] = w.count === 0 ? [] : w.text.split(SEP);
  if (out.length !== w.count) throw new Error(`wire batch has ${out.length} values, expected ${w.count}`);
  const { nulls } = w;
  if (nulls) for (let i = 0; i < nulls.length; i++) if (nulls[i]) out[i] = null;
  return out;
}

/** An error as plain data, to cross a thread; rebuilt on the other side with the same class and code. */
export interface WireError {
  name: string;
  code?: string;
  message: string;
  location?: Record<string, number | string>;
}

export function toWire(e: unknown): WireError {
  const err = e instanceof Error ? e : new Error(String(e));
  const { code, location } = err as { code?: unknown; location?: unknown };
  return {
    name: err.name,
    message: err.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(location && typeof location === 'object' ? { location: location as Record<string, number | string> } : {}),
  };
}
