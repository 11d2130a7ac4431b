/**
 * A pull-based byte reader over an async iterable of byte chunks (a Node
 * Readable is one), with exact-size reads, look-ahead and push-back.
 *
 * It holds at most what the caller asked for plus one source chunk, so memory
 * stays bounded by the caller's read sizes.
 */
import type { Readable } from 'node:stream';
import { AgeError } from './errors.js';

export type ByteSource = Readable | AsyncIterable<Uint8Array>;

export class ByteReader {
  private readonly iterator: AsyncIterator<unknown>;
  private queue: Uint8Array[] = [];
  private queued = 0;
  private ended = false;

  constructor(source: ByteSource) {
    this.iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  }

  /** Bytes buffered and not yet consumed. */
  get buffered(): number {
    return this.queued;
  }

  /** Reads from the source until `n` bytes are buffered or the source ends. */
  async fill(n: number): Promise<number> {
    while (this.queued < n && !this.ended) {
      const next = await this.iterator.next();
      if (next.done) {
        this.ended = true;
        break;
      }
      const value = next.value;
      if (!(value instanceof Uint8Array)) throw new AgeError('BAD_ARGUMENT', 'input must yield bytes (Uint8Array/Buffer), not strings or objects');
      if (value.length > 0) {
        this.queue.push(value);
        this.queued += value.length;
      }
    }
    return Math.min(this.queued, n);
  }

  /** True when nothing is buffered and the source has ended. */
  async atEnd(): Promise<boolean> {
    return (await this.fill(1)) === 0;
  }

  /** Copies up to `n` buffered-or-read bytes into `target` at `offset`; returns the count. */
  async readInto(target: Uint8Array, offset: number, n: number): Promise<number> {
    await this.fill(n);
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
  }

  /** Everything not yet consumed, as an async iterable. Use the reader no more afterwards. */
  async *rest(): AsyncGenerator<Uint8Array> {
    try {
      while (this.queue.length > 0) {
        const head = this.queue.shift() as Uint8Array;
        this.queued -= head.length;
        yield head;
      }
      while (!this.ended) {
        const next = await this.iterator.next();
        if (next.done) break;
        if (!(next.value instanceof Uint8Array)) throw new AgeError('BAD_ARGUMENT', 'input must yield bytes');
        yield next.value;
      }
      this.ended = true;
    } finally {
      // Stopped early by the consumer: release the source too.
      await this.close();
    }
  }

  /** Stops the underlying source early (e.g. destroys a Readable) after an error. */
  async close(): Promise<void> {
    this.queue = [];
    this.queued = 0;
    if (!this.ended && this.iterator.return) {
      this.ended = true;
      await this.iterator.return();
    }
  }
}
