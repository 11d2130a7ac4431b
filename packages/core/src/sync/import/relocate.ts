/**
 * @module sync/import/relocate
 * A scratch worker parses one block of a file (after a copy of the header)
 * and so numbers lines, records and bytes from the block's start. Once the
 * blocks before it are counted, its error is moved to where it is in the
 * whole file, location and message alike, so a parallel import names the
 * same line as the serial one would.
 */
import { FormatError, type FormatErrorCode } from '../../formats/errors.js';
import { LibraryError, type LibraryErrorCode } from '../library/errors.js';
import { ImportError, type ImportErrorCode } from './errors.js';
import type { WireError } from './wire.js';

export interface BlockOrigin {
  /** Records (header excluded) in the file before the block. */
  records: number;
  /** Line feeds in the file before the block (the header's included). */
  lines: number;
  /** Byte offset of the block in the file. */
  byte: number;
  /** What the worker parsed before the block's own bytes (the header copy; none for the first block). */
  prefixLines: number;
  prefixBytes: number;
}

/** `e` as the serial import would have raised it: numbers made the file's, same class and code. */
export function relocate(e: WireError, at: BlockOrigin): Error {
  const loc = { ...(e.location ?? {}) } as Record<string, number | string>;
  let message = e.message;
  if (e.name === 'ImportError') {
    // RowConverter's line is derived from the record (record + 1 for CSV), so both move by the records before.
    if (typeof loc.record === 'number') loc.record += at.records;
    if (typeof loc.line === 'number') loc.line += at.records;
    message = message.replace(/^line \d+ \(record \d+\)/, `line ${String(loc.line)} (record ${String(loc.record)})`).replace(/^record \d+/, `record ${String(loc.record)}`);
    return new ImportError(e.code as ImportErrorCode, message, loc);
  }
  if (e.name === 'FormatError') {
    if (typeof loc.line === 'number') {
      loc.line += at.lines - at.prefixLines;
      message = message.replace(/^line \d+/, `line ${loc.line}`);
    }
    message = message.replace(/after byte (\d+)/, (_m, n: string) => `after byte ${Number(n) - at.prefixBytes + at.byte}`);
    return new FormatError(e.code as FormatErrorCode, message, loc);
  }
  if (e.name === 'LibraryError') return new LibraryError(e.code as LibraryErrorCode, e.message);
  if (e.name === 'SqliteError') return new ImportError('IMPORT_DATABASE', `the import's scratch database failed: ${e.message}`);
  return new Error(`scratch worker: ${e.message}`);
}
