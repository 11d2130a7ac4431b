/**
 * @module sdk/abortable-read
 * Reading a fetch body so that an abort always ends the read.
 *
 * The spec says aborting a fetch errors its body stream, but undici 6 (the
 * fetch of Node 20) drops that when the abort lands after the last byte
 * arrived and before the stream closed: the stream then stays open and
 * `reader.read()` never settles (nodejs/undici#4089). A sync engine stopping
 * just as a small download finished waited on such a read forever. Web-standard.
 */

/** `reader.read()`, or the signal's reason as soon as it aborts (the reader is then cancelled). */
export function readOrAbort<T>(reader: ReadableStreamDefaultReader<T>, signal: AbortSignal | undefined): Promise<ReadableStreamReadResult<T>> {
  if (!signal) return reader.read();
  if (signal.aborted) {
    void reader.cancel(signal.reason).catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      void reader.cancel(signal.reason).catch(() => undefined);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    reader.read().then(
      (r) => {
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}
