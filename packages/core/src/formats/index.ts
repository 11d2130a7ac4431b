/**
 * @module formats
 * Streaming readers for the files DME moves: CSV, TSV, NDJSON, JSON arrays,
 * each optionally gzip-compressed. Node-only (node:zlib, node:stream).
 */
export type { Cell, FileFormat, ReadOptions, RecordBatch } from './types.js';
export { rowOf } from './types.js';
export { FormatError, FORMAT_ERROR_CODES, isFormatError, type FormatErrorCode, type FormatErrorLocation } from './errors.js';
export { detectFormat, formatFromContent, formatFromName, isGzip } from './detect.js';
export { readRecords, RecordReader } from './read-records.js';
export { DEFAULT_BATCH_CELLS } from './batch.js';
export type { ByteSource } from './source.js';
