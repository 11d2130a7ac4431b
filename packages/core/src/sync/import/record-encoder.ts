/**
 * @module sync/import/record-encoder
 * The scratch workers' inner loop (scratch-fast.ts: a CSV line's bytes
 * copied back to front into a leaf page as a SQLite record, fields cut at
 * the delimiter) in WebAssembly, record-encoder.wat. In JavaScript that
 * loop took most of each worker's time; 60 MB of the phone CSV, a call per
 * 72-byte line: 0.84-1.13 ns a byte assembled, 4.6-5.4 in JavaScript.
 * `dme sync --once` of 5M phone rows, 5 alternating pairs: each scratch
 * worker 0.36-0.40 user CPU-s instead of 0.69-0.74, the pull 2.95-3.40 s
 * (client CPU 3.75-4.54) instead of 3.18-4.41 s (4.44-6.09).
 *
 * One instance per thread, with a fixed memory (never grown, so views on
 * it stay valid): the leaf page of the thread's ScratchFile lives in it
 * (`page`), and each block is copied in before its lines are encoded.
 * Where WebAssembly is unavailable (`node --jitless`), `recordEncoder()` is
 * null and scratch-fast.ts keeps its JavaScript loop.
 */
import { RECORD_ENCODER_WASM } from './record-encoder-wasm.js';

/** Offsets in the memory, as record-encoder.wat lays it out. */
const PAGE_BYTES = 64 * 1024;
const NOT_NULL_AT = 80 * 1024;
const DATA_AT = 128 * 1024;
const DATA_BYTES = 2 * 1024 * 1024;
/** The widest record the lengths and flags areas hold. */
const MAX_COLUMNS = 4096;

export interface RecordEncoder {
  /** The leaf page (pages up to 64 KiB): give it to the ScratchFile whose lines are encoded. */
  readonly page: Buffer;
  /**
   * Copies `bytes` in and sets the not-null flags of the `notNull.length`
   * columns; returns the memory (a view ending at the copy's end, for
   * line searches) and where the copy starts, or null when it does not fit.
   */
  load(bytes: Uint8Array, notNull: readonly boolean[]): { memory: Buffer; start: number } | null;
  /** See record-encoder.wat: the record's start in `page`, or -1. */
  encode(pos: number, end: number, top: number, delim: number, width: number): number;
}

/** The WebAssembly API used, typed here: the project's libs leave WebAssembly out. */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

let instance: RecordEncoder | null | undefined;

function instantiate(): RecordEncoder | null {
  const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;
  if (!wasm) return null;
  let exports: { memory: { buffer: ArrayBuffer }; encode: RecordEncoder['encode'] };
  try {
    exports = new wasm.Instance(new wasm.Module(Buffer.from(RECORD_ENCODER_WASM, 'base64'))).exports as typeof exports;
  } catch {
    return null;
  }
  const all = Buffer.from(exports.memory.buffer);
  return {
    page: all.subarray(0, PAGE_BYTES),
    load(bytes, notNull) {
      if (bytes.length > DATA_BYTES || notNull.length > MAX_COLUMNS) return null;
      all.set(bytes, DATA_AT);
      for (let c = 0; c < notNull.length; c++) all[NOT_NULL_AT + c] = notNull[c] ? 1 : 0;
      return { memory: all.subarray(0, DATA_AT + bytes.length), start: DATA_AT };
    },
    encode: exports.encode,
  };
}

/** This thread's encoder, made on first use; null where WebAssembly cannot run. */
export function recordEncoder(): RecordEncoder | null {
  if (instance === undefined) instance = instantiate();
  return instance;
}
