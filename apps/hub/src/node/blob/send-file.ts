/**
 * @module node/blob/send-file
 * Serves a stored payload's bytes straight onto Node's response from two
 * reused buffers. Through a web ReadableStream (file-stream.ts) every chunk
 * must be a fresh buffer, since whoever reads the stream may keep it: for a
 * download that is a zero-filled allocation per chunk, its first-touch page
 * faults and a promise chain, which on a 2-core machine took CPU from the
 * consumer decrypting and importing the same bytes. Here a buffer is read
 * into again only after the socket has taken its previous contents (the
 * write callback), so memory stays at two buffers whatever the client's
 * speed.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';

const BUFFER_SIZE = 1024 * 1024;

/** Writes bytes `[start, end]` (inclusive) of `file` to `out`, then ends it; rejects if the client goes away or the file is shorter. */
export async function sendFileRegion(file: FileHandle, out: Writable, start: number, end: number): Promise<void> {
  // A small object gets buffers of its size, not 2 MiB.
  const size = Math.max(1, Math.min(BUFFER_SIZE, end + 1 - start));
  const slots = [0, 1].map(() => ({ buffer: Buffer.allocUnsafeSlow(size), taken: Promise.resolve() }));
  let position = start;
  for (let i = 0; position <= end; i++) {
    const slot = slots[i % slots.length]!;
    await slot.taken;
    const want = Math.min(size, end + 1 - position);
    const { bytesRead } = await file.read(slot.buffer, 0, want, position);
    if (bytesRead === 0) throw new Error(`stored object ended at byte ${position}, before ${end + 1}`);
    position += bytesRead;
    const chunk = slot.buffer.subarray(0, bytesRead);
    slot.taken = new Promise<void>((resolve, reject) => {
      out.write(chunk, (err) => (err ? reject(err) : resolve()));
    });
    // A client gone mid-download fails the write; nobody else waits on it.
    slot.taken.catch(() => undefined);
  }
  await Promise.all(slots.map((s) => s.taken));
  await new Promise<void>((resolve) => out.end(resolve));
}
