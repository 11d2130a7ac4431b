/**
 * Where payload bytes come from: a pull-based reader over any async iterable of
 * byte chunks (a Node Readable is one), with exact-size reads, look-ahead and
 * push-back, plus a direct path for sources that can read straight into the
 * caller's buffer (a file opened with `openFileSource`), which saves the
 * per-chunk allocations and copies of a stream.
 *
 * The reader holds at most what the caller asked for plus one source chunk, so
 * memory stays bounded by the caller's read sizes.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { AgeError } from './errors.js';

/** A source that fills a caller's buffer; `read` resolves 0 at the end. */
export interface DirectSource extends AsyncIterable<Uint8Array> {
  read(target: Uint8Array, offset: number, length: number): Promise<number>;
  close?(): Promise<void>;
  /** Bytes left to read, when known (lets the payload code choose its engine without reading ahead). */
  size?: number;
  /**
   * Where the next unread byte lives, for a source backed by a file that
   * threads may read with positional reads (pread) instead; undefined once closed.
   */
  at?(): FilePosition | undefined;
}

export interface FilePosition {
  fd: number;
  offset: number;
}

export type ByteSource = Readable | AsyncIterable<Uint8Array> | DirectSource;

function isDirect(source: ByteSource): source is DirectSource {
  return typeof (source as Partial<DirectSource>).read === 'function' && !('readable' in source);
}

/** Look-ahead reads from a direct source take at least this much. */
const LOOKAHEAD = 64 * 1024;

export class ByteReader {
  private readonly direct: DirectSource | null;
  private iterator: AsyncIterator<unknown> | null = null;
  private queue: Uint8Array[] = [];
  private queued = 0;
  private ended = false;
  /** Bytes handed to the caller (read or skipped). */
  private taken = 0;

  constructor(private readonly source: ByteSource) {
    this.direct = isDirect(source) ? source : null;
  }

  /** Bytes buffered and not yet consumed. */
  get buffered(): number {
    return this.queued;
  }

  /** The file position of the next byte not yet consumed, if the source is a file. */
  position(): FilePosition | undefined {
    const at = this.direct?.at?.();
    return at && { fd: at.fd, offset: at.offset - this.queued };
  }

  /** Bytes not yet consumed, if the source declares its size. */
  get remaining(): number | undefined {
    const size = this.direct?.size;
    return size === undefined ? undefined : Math.max(0, size - this.taken);
  }

  private async pull(want: number): Promise<Uint8Array | null> {
    if (this.direct) {
      const buf = new Uint8Array(Math.max(want, LOOKAHEAD));
      const got = await this.direct.read(buf, 0, buf.length);
      return got === 0 ? null : buf.subarray(0, got);
    }
    this.iterator ??= (this.source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    const next = await this.iterator.next();
    if (next.done) return null;
    if (!(next.value instanceof Uint8Array)) throw new AgeError('BAD_ARGUMENT', 'input must yield bytes (Uint8Array/Buffer), not strings or objects');
    return next.value;
  }

  /** Reads from the source until `n` bytes are buffered or the source ends. */
  async fill(n: number): Promise<number> {
    while (this.queued < n && !this.ended) {
      const value = await this.pull(n - this.queued);
      if (value === null) {
        this.ended = true;
        break;
      }
      if (value.length > 0) {
        this.queue.push(value);
        this.queued += value.length;
      }
    }
    return Math.min(this.queued, n);
  }

  /** True when nothing is buffered and the source has ended. */
  async atEnd(): Promise<boolean> {
    if (this.queued > 0) return false;
    if (this.direct && !this.ended) {
      // One byte, not a LOOKAHEAD buffer: the pipeline asks after every batch, and a fresh 64 KiB
      // buffer each time was ~7% of its page faults. The byte is taken by the next read.
      const one = new Uint8Array(1);
      if ((await this.direct.read(one, 0, 1)) === 0) {
        this.ended = true;
        return true;
      }
      this.queue.push(one);
      this.queued = 1;
      return false;
    }
    return (await this.fill(1)) === 0;
  }

  /** Copies up to `n` bytes into `target` at `offset`; returns the count (less only at the end). */
  async readInto(target: Uint8Array, offset: number, n: number): Promise<number> {
    let copied = 0;
    while (copied < n && this.queue.length > 0) {
      const head = this.queue[0] as Uint8Array;
      const take = Math.min(head.length, n - copied);
      target.set(take === head.length ? head : head.subarray(0, take), offset + copied);
      copied += take;
      if (take === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(take);
    }
    this.queued -= copied;
    this.taken += copied;
    if (this.direct) {
      while (copied < n && !this.ended) {
        const got = await this.direct.read(target, offset + copied, n - copied);
        if (got === 0) this.ended = true;
        copied += got;
        this.taken += got;
      }
      return copied;
    }
    if (copied < n && !this.ended) {
      await this.fill(n - copied);
      return copied + (await this.readInto(target, offset + copied, n - copied));
    }
    return copied;
  }

  /** A contiguous view of the first `n` buffered bytes (n ≤ buffered); not consumed. */
  peek(n: number): Uint8Array {
    if (this.queue.length === 1 || n <= (this.queue[0]?.length ?? 0)) return (this.queue[0] ?? new Uint8Array(0)).subarray(0, n);
    const joined = Buffer.concat(this.queue);
    this.queue = [joined];
    return joined.subarray(0, n);
  }

  /** Drops `n` buffered bytes. */
  skip(n: number): void {
    let left = n;
    while (left > 0 && this.queue.length > 0) {
      const head = this.queue[0] as Uint8Array;
      if (head.length <= left) {
        left -= head.length;
        this.queue.shift();
      } else {
        this.queue[0] = head.subarray(left);
        left = 0;
      }
    }
    this.queued -= n - left;
    this.taken += n - left;
  }

  /**
   * Everything not yet consumed, as a source of its own (iterable, and direct
   * so a second reader keeps the fast path). Use this reader no more afterwards.
   */
  rest(): DirectSource {
    const chunks = async function* (this: ByteReader): AsyncGenerator<Uint8Array> {
      try {
        for (;;) {
          const head = this.queue.shift();
          if (head) {
            this.queued -= head.length;
            yield head;
            continue;
          }
          const value = this.ended ? null : await this.pull(LOOKAHEAD);
          if (value === null) break;
          yield value;
        }
        this.ended = true;
      } finally {
        // Stopped early by the consumer: release the source too.
        await this.close();
      }
    };
    const rest: DirectSource = {
      read: (target, offset, length) => this.readInto(target, offset, length),
      close: () => this.close(),
      at: () => this.position(),
      [Symbol.asyncIterator]: () => chunks.call(this),
    };
    const size = this.remaining;
    if (size !== undefined) rest.size = size;
    return rest;
  }

  /** Stops the underlying source early (e.g. destroys a Readable) after an error. */
  async close(): Promise<void> {
    this.queue = [];
    this.queued = 0;
    if (this.ended && !this.direct) return;
    this.ended = true;
    if (this.direct) await this.direct.close?.();
    else await this.iterator?.return?.();
  }
}

/**
 * A file as a direct source: reads land in the payload pipeline's own buffers.
 * Iterating it yields fresh 1 MiB chunks instead. Closes at the end or on close().
 */
export async function openFileSource(path: string): Promise<DirectSource> {
  let handle: FileHandle | null = await open(path, 'r');
  const info = await handle.stat();
  const { size } = info;
  // Pipes (/dev/fd/N from a shell's <(...)) read sequentially only.
  const seekable = info.isFile();
  let pos = 0;
  const close = async (): Promise<void> => {
    const h = handle;
    handle = null;
    await h?.close();
  };
  const read = async (target: Uint8Array, offset: number, length: number): Promise<number> => {
    if (!handle || length === 0) return 0;
    const { bytesRead } = await handle.read(target, offset, length, null);
    pos += bytesRead;
    if (bytesRead === 0) await close();
    return bytesRead;
  };
  return {
    read,
    close,
    size,
    at: () => (handle && seekable ? { fd: handle.fd, offset: pos } : undefined),
    [Symbol.asyncIterator]: () => chunksOf(read, close),
  };
}

/**
 * A direct source's bytes as fresh 1 MiB chunks, for consumers that iterate
 * instead of reading into their own buffers; closes the source at the end or
 * when the consumer stops early.
 */
export async function* chunksOf(read: DirectSource['read'], close: () => Promise<void>): AsyncGenerator<Uint8Array> {
  try {
    for (;;) {
      const buf = new Uint8Array(1024 * 1024);
      const got = await read(buf, 0, buf.length);
      if (got === 0) return;
      yield buf.subarray(0, got);
    }
  } finally {
    await close();
  }
}
