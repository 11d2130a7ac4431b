/**
 * @module sdk/transfer-download
 * Range-resumable downloads: stream an object into a caller's sink, picking up
 * where it stopped after a broken connection or an expired URL (renew). A
 * server that ignores `Range` is handled by re-reading and skipping what was
 * already written. Web-standard only.
 */
import { Budget, TransferError, describeFailure, failureError, rethrowUnlessTransient, throwIfAborted } from './transfer-http.js';
import type { Failure } from './transfer-http.js';
import { readOrAbort } from './abortable-read.js';

/**
 * An answer whose body is read in place: each chunk `read()` gives is only
 * valid until the next `read()` or `cancel()` (on Node: net/direct-get, which
 * allocates nothing per chunk). A fetch Response is read through the same shape.
 */
export interface InPlaceResponse {
  status: number;
  headers: Headers;
  /** The next body bytes, or null at the end. */
  read(): Promise<Uint8Array | null>;
  /** Stops reading the body (a no-op once it ended). */
  cancel(): void;
  /** The answer as a Response with its body unread, for describing a failure. */
  toResponse(): Promise<Response>;
}

export type InPlaceGet = (url: string, init: { headers: Record<string, string>; signal?: AbortSignal }) => Promise<InPlaceResponse>;

function inPlace(res: Response, signal: AbortSignal | undefined): InPlaceResponse {
  // Locked only once read: a failure's body is still readable by toResponse().
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return {
    status: res.status,
    headers: res.headers,
    read: async () => {
      if (!res.body) return null;
      reader ??= res.body.getReader();
      const r = await readOrAbort(reader, signal);
      return r.done ? null : r.value;
    },
    cancel: () => void reader?.cancel().catch(() => undefined),
    toResponse: () => Promise.resolve(res),
  };
}

export interface DownloadOptions {
  fetch?: typeof fetch;
  /**
   * Used instead of `fetch` when given. `write` must be done with each chunk
   * when its promise resolves: the next read may reuse its memory.
   */
  get?: InPlaceGet;
  startAt?: number;
  onProgress?(received: number, total: number | undefined): void;
  renew?(): Promise<string>;
  expectedSize?: number;
  signal?: AbortSignal;
  retries?: number;
  backoffMs?: number;
}

/**
 * Streams the object at `url` into `write`, resuming with `Range` after a broken
 * connection or an expired URL (`renew`). Returns the number of bytes written
 * by this call plus `startAt`, i.e. the object's size.
 */
export async function downloadPayload(url: string, write: (chunk: Uint8Array) => Promise<void>, opts: DownloadOptions = {}): Promise<{ size: number }> {
  // The global looked up only when used: in Node, touching it loads undici (net/node-response).
  const doFetch = opts.fetch ?? ((input: string, init?: RequestInit) => fetch(input, init));
  const budget = new Budget(opts.retries ?? 5, opts.backoffMs ?? 500, opts.signal);
  let offset = opts.startAt ?? 0;
  let total = opts.expectedSize;
  let current = url;
  for (;;) {
    throwIfAborted(opts.signal);
    if (total !== undefined && offset === total) return { size: offset };
    let failure: Failure | undefined;
    try {
      const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
      const res = opts.get
        ? await opts.get(current, { headers, ...(opts.signal ? { signal: opts.signal } : {}) })
        : inPlace(await doFetch(current, { headers, ...(opts.signal ? { signal: opts.signal } : {}) }), opts.signal);
      if (res.status >= 200 && res.status < 300) {
        try {
          let skip = 0;
          if (res.status === 206) {
            const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(res.headers.get('Content-Range') ?? '');
            if (!m || Number(m[1]) !== offset) throw new TransferError('HTTP_ERROR', `server answered a range other than bytes=${offset}-`, 206);
            if (m[2] !== '*') setTotal(Number(m[2]));
          } else {
            // The server ignored Range: read the whole body again and drop what we have.
            skip = offset;
            const length = res.headers.get('Content-Length');
            if (length !== null && /^\d+$/.test(length)) setTotal(Number(length));
          }
          for (let value; (value = await res.read()) !== null; ) {
            let chunk = value;
            if (skip > 0) {
              const drop = Math.min(skip, chunk.byteLength);
              skip -= drop;
              chunk = chunk.subarray(drop);
              if (chunk.byteLength === 0) continue;
            }
            if (total !== undefined && offset + chunk.byteLength > total) throw new TransferError('SIZE_MISMATCH', `object is longer than the expected ${total} bytes`);
            try {
              await write(chunk);
            } catch (cause) {
              // The caller's sink failed: not a network problem, never retried.
              throw new TransferError('WRITE_FAILED', `write failed at byte ${offset}: ${cause instanceof Error ? cause.message : String(cause)}`);
            }
            offset += chunk.byteLength;
            budget.progressed();
            opts.onProgress?.(offset, total);
          }
        } finally {
          res.cancel();
        }
        if (total === undefined || offset === total) return { size: offset };
        throw new TypeError(`connection closed at byte ${offset} of ${total}`);
      }
      // Asked from the end of a complete object (startAt = its size, not known in advance): the server says so.
      if (res.status === 416 && offset > 0 && res.headers.get('Content-Range') === `bytes */${offset}`) {
        res.cancel();
        setTotal(offset);
        return { size: offset };
      }
      failure = await describeFailure(await res.toResponse());
    } catch (err) {
      rethrowUnlessTransient(err, opts.signal);
      await budget.failed(err, `download at byte ${offset}`);
      continue;
    }
    if (failure.expired && opts.renew) {
      budget.renewed('download');
      current = await opts.renew();
    } else if (failure.retryable) await budget.failed(failure.message, `download at byte ${offset}`);
    else throw failureError(failure, `download at byte ${offset}`);
  }

  function setTotal(size: number): void {
    if (opts.expectedSize !== undefined && size !== opts.expectedSize) {
      throw new TransferError('SIZE_MISMATCH', `object has ${size} bytes, expected ${opts.expectedSize}`);
    }
    total = size;
  }
}
