/**
 * An abort ends body reads even when the body stream itself never ends or
 * errors — the state undici 6 leaves a fetch body in when the abort lands
 * just after the last byte (nodejs/undici#4089). The stalled stream below is
 * that state: one chunk, then nothing, no close, no error.
 */
import { describe, expect, it } from 'vitest';
import { readOrAbort } from './abortable-read.js';
import { downloadPayload } from './transfer-download.js';
import { TransferError } from './transfer-http.js';

function stalled(first: Uint8Array): { stream: ReadableStream<Uint8Array>; cancelled: () => unknown } {
  let reason: unknown = 'not cancelled';
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(first);
    },
    cancel(r) {
      reason = r;
    },
  });
  return { stream, cancelled: () => reason };
}

describe('readOrAbort', () => {
  it('rejects with the abort reason and cancels the stream when the stream never settles', async () => {
    const { stream, cancelled } = stalled(new Uint8Array([1, 2, 3]));
    const reader = stream.getReader();
    const ctl = new AbortController();
    expect((await readOrAbort(reader, ctl.signal)).value).toEqual(new Uint8Array([1, 2, 3]));
    const pending = readOrAbort(reader, ctl.signal);
    const why = new Error('stopping');
    ctl.abort(why);
    await expect(pending).rejects.toBe(why);
    expect(cancelled()).toBe(why);
    await expect(readOrAbort(reader, ctl.signal)).rejects.toBe(why);
  });

  it('passes results and errors through when nothing aborts', async () => {
    let pulls = 0;
    const reader = new ReadableStream<number>({
      pull(c) {
        if (pulls++ === 0) c.enqueue(7);
        else c.error(new Error('broken'));
      },
    }).getReader();
    const ctl = new AbortController();
    expect(await readOrAbort(reader, ctl.signal)).toEqual({ value: 7, done: false });
    await expect(readOrAbort(reader, ctl.signal)).rejects.toThrow('broken');
  });
});

describe('downloadPayload', () => {
  it('stops with ABORTED when aborted while the body hangs after its bytes arrived', async () => {
    const { stream } = stalled(new Uint8Array(1000));
    const ctl = new AbortController();
    let written = 0;
    const done = downloadPayload(
      'http://127.0.0.1:9/blob',
      async (chunk) => {
        written += chunk.byteLength;
        // The whole body is here; the abort lands before the stream would close.
        if (written === 1000) setTimeout(() => ctl.abort(new Error('stopping')), 0);
      },
      { fetch: async () => new Response(stream, { status: 200, headers: { 'content-length': '1000' } }), expectedSize: 1000, signal: ctl.signal },
    );
    const err = await done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransferError);
    expect((err as TransferError).code).toBe('ABORTED');
    expect(written).toBe(1000);
  });
});
