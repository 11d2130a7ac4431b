/**
 * @module formats/read-records
 * The entry point of the readers: bytes in (plain or gzip), RecordBatches
 * out, one pass, memory bounded by the batch size and the longest record.
 * The returned reader also reports what it learned on the way (format,
 * compression, plaintext bytes, columns) for the profiler and the importer.
 */
import { BatchBuilder } from './batch.js';
import { DelimitedParser } from './delimited.js';
import { detectFormat } from './detect.js';
import { JsonArrayParser, NdjsonParser } from './json.js';
import { openPlaintext, type ByteSource } from './source.js';
import type { FileFormat, ReadOptions, RecordBatch } from './types.js';
import { Utf8Decoder } from './utf8.js';

/** Bytes decoded at a time (see the read loop). */
const TEXT_SLICE = 64 * 1024;

interface TextParser {
  push(text: string, final: boolean): void;
}

function parserFor(format: FileFormat, out: BatchBuilder): TextParser {
  switch (format) {
    case 'csv':
      return new DelimitedParser(',', out);
    case 'tsv':
      return new DelimitedParser('\t', out);
    case 'ndjson':
      return new NdjsonParser(out);
    case 'json':
      return new JsonArrayParser(out);
  }
}

/** A single-use async iterable of batches; its fields fill in as it is read. */
export class RecordReader implements AsyncIterable<RecordBatch> {
  /** Known once iteration has started. */
  format: FileFormat | undefined;
  compressed = false;
  /** Plaintext (decompressed) bytes consumed so far. */
  bytes = 0;
  /** Current columns (complete once iteration ends, even for a header-only file). */
  columns: readonly string[] = [];
  recordCount = 0;
  private started = false;

  constructor(
    private readonly source: ByteSource,
    private readonly opts: ReadOptions,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<RecordBatch> {
    if (this.started) throw new Error('RecordReader can only be iterated once');
    this.started = true;
    const batchSize = this.opts.batchSize;
    if (batchSize !== undefined && (!Number.isSafeInteger(batchSize) || batchSize < 1)) {
      throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    }
    const plain = await openPlaintext(this.source);
    this.compressed = plain.compressed;
    const format = this.opts.format ?? detectFormat(plain.head, this.opts.fileName);
    this.format = format;
    const out = new BatchBuilder(batchSize);
    const parser = parserFor(format, out);
    // Strict: a Latin-1 file would otherwise import as U+FFFD garbage without a word.
    const decoder = new Utf8Decoder();
    for await (const chunk of plain.chunks) {
      this.bytes += chunk.length;
      // Decode in slices: a decoded string over ~128 KiB goes to V8's
      // large-object space and, pinned by the cells sliced from it, lingers
      // until a full GC. Big reads stay cheap; big strings do not.
      for (let o = 0; o < chunk.length; o += TEXT_SLICE) {
        parser.push(decoder.decode(chunk.subarray(o, o + TEXT_SLICE)), false);
        this.columns = out.columns;
        for (const b of out.take()) {
          this.recordCount = b.firstRecord - 1 + b.rowCount;
          yield b;
        }
      }
    }
    parser.push(decoder.end(), true);
    out.flush();
    this.columns = out.columns;
    for (const b of out.take()) {
      this.recordCount = b.firstRecord - 1 + b.rowCount;
      yield b;
    }
  }
}

/**
 * Reads CSV, TSV, NDJSON or a JSON array, gzip-compressed or not, as batches
 * of rows. Errors are FormatError (bad input) or the source's own I/O error.
 */
export function readRecords(source: ByteSource, opts: ReadOptions = {}): RecordReader {
  return new RecordReader(source, opts);
}
