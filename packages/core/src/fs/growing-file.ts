/**
 * @module fs/growing-file
 * Reads a file while another task is still appending to it: the reader is
 * told how far the file is written (`grewTo`) and how it ends (`complete`
 * or `fail`), reads what is there and waits for the rest. The sync engine
 * decrypts and imports a payload this way while it downloads.
 *
 * Invariant: the reader ends only after `complete()`; a `fail()` errors it,
 * also while it waits. It never reads past the last `grewTo` offset, so it
 * sees only bytes whose write completed.
 */
import { open } from 'node:fs/promises';

const READ_SIZE = 1 << 20;

export class GrowingFile {
  private end = 0;
  private done = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly path: string) {}

  /** Bytes [0, end) are on file. */
  grewTo(end: number): void {
    if (end > this.end) this.end = end;
    this.nudge();
  }

  /** Nothing more will be written: the reader ends at the last `grewTo` offset. */
  complete(): void {
    this.done = true;
    this.nudge();
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.nudge();
  }

  private nudge(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** The file's bytes from the start, in chunks of up to 1 MiB, as they are written. */
  async *chunks(): AsyncGenerator<Uint8Array> {
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    let at = 0;
    try {
      for (;;) {
        if (this.failure) throw this.failure;
        if (at < this.end) {
          handle ??= await open(this.path, 'r');
          const buf = new Uint8Array(Math.min(READ_SIZE, this.end - at));
          const { bytesRead } = await handle.read(buf, 0, buf.length, at);
          if (bytesRead === 0) throw new Error(`${this.path} is shorter than the ${this.end} bytes written to it`);
          at += bytesRead;
          yield buf.subarray(0, bytesRead);
          continue;
        }
        if (this.done) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      await handle?.close();
    }
  }
}
