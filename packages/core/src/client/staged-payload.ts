/**
 * @module client/staged-payload
 * A payload file that is uploaded while it is still being written. The
 * encryptor appends through `writable()`; `readFrom(offset)` streams the file
 * from any offset and, at the write frontier, waits for more bytes instead of
 * ending, so the upload runs concurrently with encryption and can still
 * resume from any offset (the bytes stay on disk until `dispose`).
 *
 * Invariant: a reader never sees a byte past what has been written, and sees
 * the end only once the writer finished; a writer failure errors every reader.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

const READ_SIZE = 1 << 20;

/** age v1 payload size for a plaintext of `n` bytes: nonce + 64 KiB chunks with 16-byte tags (an empty file is one empty chunk). */
export function agePayloadSize(n: number): number {
  const chunks = n === 0 ? 1 : Math.ceil(n / 65_536);
  return 16 + n + chunks * 16;
}

export class StagedPayload {
  private written = 0;
  private finished = false;
  private failure: Error | undefined;
  private waiters: Array<() => void> = [];

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(path: string): Promise<StagedPayload> {
    return new StagedPayload(path, await open(path, 'wx+', 0o600));
  }

  get bytesWritten(): number {
    return this.written;
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  /** The encryptor's output: appends in order, honouring backpressure. */
  writable(): Writable {
    return new Writable({
      highWaterMark: 4 * READ_SIZE,
      write: (chunk: Buffer, _enc, cb) => {
        this.handle.write(chunk, 0, chunk.byteLength, this.written).then(
          () => {
            this.written += chunk.byteLength;
            this.wake();
            cb();
          },
          (err: Error) => cb(err),
        );
      },
    });
  }

  finish(): void {
    this.finished = true;
    this.wake();
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  private async available(position: number): Promise<number> {
    while (position >= this.written && !this.finished && !this.failure) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.failure) throw this.failure;
    return this.written - position;
  }

  /** The payload from `start`, following the writer until it finishes. */
  readFrom(start: number): ReadableStream<Uint8Array> {
    let position = start;
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const ready = await this.available(position);
          if (ready <= 0) {
            controller.close();
            return;
          }
          const buf = new Uint8Array(Math.min(READ_SIZE, ready));
          const { bytesRead } = await this.handle.read(buf, 0, buf.byteLength, position);
          position += bytesRead;
          controller.enqueue(bytesRead === buf.byteLength ? buf : buf.subarray(0, bytesRead));
        },
      },
      { highWaterMark: 0 },
    );
  }

  async dispose(): Promise<void> {
    this.fail(new Error('staged payload disposed'));
    await this.handle.close().catch(() => undefined);
  }
}
