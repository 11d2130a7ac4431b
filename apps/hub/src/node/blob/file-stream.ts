/**
 * @module node/blob/file-stream
 * A pull-driven web ReadableStream over a file region. Node 20's
 * `Readable.toWeb(createReadStream())` counts its queue in chunks, not bytes,
 * so it reads ahead as fast as the disk allows and a slow consumer ends up with
 * the whole file in memory; this stream reads one chunk per pull, so memory is
 * bounded by one chunk whatever the consumer's speed.
 */
import { open } from 'node:fs/promises';
import { chunksAllocated } from '@dme/core/runtime/gc';

const CHUNK = 256 * 1024;

/** Opens `path` now (so a missing file fails here) and streams bytes `[start, end]` (inclusive; default to EOF). */
export async function openFileStream(path: string, range: { start?: number; end?: number } = {}): Promise<ReadableStream<Uint8Array>> {
  const handle = await open(path, 'r');
  let position = range.start ?? 0;
  const last = range.end ?? Number.MAX_SAFE_INTEGER;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const want = Math.min(CHUNK, last + 1 - position);
          const buffer = new Uint8Array(Math.max(want, 0));
          // A fresh buffer per chunk (the socket holds it until written): freed by young GCs, not full ones (runtime/gc).
          chunksAllocated(buffer.byteLength);
          const { bytesRead } = want > 0 ? await handle.read(buffer, 0, want, position) : { bytesRead: 0 };
          if (bytesRead === 0) {
            await close();
            controller.close();
            return;
          }
          position += bytesRead;
          controller.enqueue(bytesRead < want ? buffer.subarray(0, bytesRead) : buffer);
        } catch (err) {
          await close().catch(() => undefined);
          controller.error(err);
        }
      },
      async cancel() {
        await close();
      },
    },
    { highWaterMark: 1 },
  );
}
