/**
 * @module sync/engine/throttle
 * A bandwidth cap for payload downloads (`dme sync --limit-rate`): wraps a
 * fetch so response bodies are delivered at no more than `bytesPerSecond`,
 * averaged from the start of each body. Servers sharing a link with other
 * work want this; tests use it to hold a download open long enough to kill.
 */

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function throttledFetch(base: typeof fetch, bytesPerSecond: number): typeof fetch {
  if (!(bytesPerSecond > 0)) throw new RangeError('bytesPerSecond must be positive');
  return async (input, init) => {
    const res = await base(input, init);
    if (!res.body) return res;
    const started = Date.now();
    let sent = 0;
    const slow = new TransformStream<Uint8Array, Uint8Array>({
      async transform(chunk, controller) {
        // Slice big chunks so the pace is smooth and an abort is noticed quickly.
        const slice = Math.max(4096, Math.floor(bytesPerSecond / 20));
        for (let off = 0; off < chunk.byteLength; off += slice) {
          const part = chunk.subarray(off, Math.min(chunk.byteLength, off + slice));
          const due = started + ((sent + part.byteLength) / bytesPerSecond) * 1000;
          const wait = due - Date.now();
          if (wait > 0) await sleep(wait);
          sent += part.byteLength;
          controller.enqueue(part);
        }
      },
    });
    return new Response(res.body.pipeThrough(slow), { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
