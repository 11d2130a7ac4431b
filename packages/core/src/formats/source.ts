/**
 * @module formats/source
 * Turns a byte source into plaintext chunks: recognises gzip by its magic
 * bytes and inflates it with a streaming node:zlib Gunzip (multi-member
 * files included), then holds back the first few KiB so the format can be
 * sniffed before any parser runs. Nothing here buffers more than the head.
 */
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FormatError } from './errors.js';
import { isGzip } from './detect.js';

export type ByteSource = Readable | AsyncIterable<Uint8Array>;

export interface Plaintext {
  compressed: boolean;
  /** The first plaintext bytes (≥ SNIFF_BYTES unless the file is shorter); also the start of `chunks`. */
  head: Uint8Array;
  /** Every plaintext byte, head included, in order. */
  chunks: AsyncIterable<Uint8Array>;
}

const SNIFF_BYTES = 4096;

async function peek(it: AsyncIterator<unknown>, min: number): Promise<Uint8Array[]> {
  const got: Uint8Array[] = [];
  let n = 0;
  while (n < min) {
    const r = await it.next();
    if (r.done) break;
    const c = toBytes(r.value);
    got.push(c);
    n += c.length;
  }
  return got;
}

function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  throw new TypeError('byte source yielded something other than Uint8Array or string');
}

/** Replays the peeked chunks, then the rest; stopping early closes the underlying source. */
async function* chain(first: Uint8Array[], it: AsyncIterator<unknown>): AsyncGenerator<Uint8Array> {
  let finished = false;
  try {
    yield* first;
    for (;;) {
      const r = await it.next();
      if (r.done) {
        finished = true;
        return;
      }
      yield toBytes(r.value);
    }
  } finally {
    if (!finished) await it.return?.();
  }
}

/** zlib reports corrupt or truncated input with Z_* codes; anything else (I/O) passes through unchanged. */
function isZlibError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

async function* inflate(raw: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const gunzip = pipeline(Readable.from(raw, { objectMode: false }), createGunzip(), () => {
    // errors surface through iteration below
  });
  try {
    for await (const c of gunzip) yield c as Uint8Array;
  } catch (e) {
    if (isZlibError(e)) throw new FormatError('FORMAT_GZIP', `corrupt or truncated gzip data: ${(e as Error).message}`);
    throw e;
  } finally {
    gunzip.destroy();
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

export async function openPlaintext(source: ByteSource): Promise<Plaintext> {
  const rawIt = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const rawHead = await peek(rawIt, 2);
  const compressed = isGzip(concat(rawHead.length ? rawHead : [new Uint8Array(0)]));
  if (!compressed) {
    const more = await peek(rawIt, SNIFF_BYTES - rawHead.reduce((s, c) => s + c.length, 0));
    const headParts = [...rawHead, ...more];
    return { compressed, head: headParts.length ? concat(headParts) : new Uint8Array(0), chunks: chain(headParts, rawIt) };
  }
  const plainIt = inflate(chain(rawHead, rawIt));
  const headParts = await peek(plainIt, SNIFF_BYTES);
  return { compressed, head: headParts.length ? concat(headParts) : new Uint8Array(0), chunks: chain(headParts, plainIt) };
}
