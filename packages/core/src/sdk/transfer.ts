/**
 * @module sdk/transfer
 * Client side of payload transfers: resumable uploads to the targets the hub
 * hands out (a signed single URL taking `Content-Range` pieces, or S3 multipart
 * part URLs) and Range-resumable downloads. Web-standard only (browsers,
 * workers, Node), and streaming: at most one piece per worker is in flight, the
 * payload is never held whole. (Node's fetch keeps a streamed request body in
 * memory until that request ends, so there memory ≈ pieceSize for a single
 * target and maxInFlightBytes for multipart.)
 *
 * Resume protocol, single target: HEAD `statusUrl` → `Upload-Offset` is the
 * number of bytes the store holds; the next piece starts there. A store whose
 * status URL does not report `Upload-Offset` (a presigned S3 PUT) gets the whole
 * body in one PUT, restarted from byte 0 on failure.
 *
 * Every retry loop is bounded: `retries` consecutive failures without progress
 * (and as many URL renewals) and the transfer gives up with a TransferError.
 */
import {
  Budget,
  TransferError,
  collect,
  describeFailure,
  failureError,
  rethrowUnlessTransient,
  sliceStream,
  throwIfAborted,
} from './transfer-http.js';
import type { Failure } from './transfer-http.js';

export { TransferError } from './transfer-http.js';
export type { TransferErrorCode } from './transfer-http.js';
export { downloadPayload } from './transfer-download.js';
export type { DownloadOptions } from './transfer-download.js';

/** Same shape as the hub's `UploadTarget` (apps/hub/src/blob/types.ts); redeclared so the SDK needs no hub import. */
export type UploadTarget =
  | { kind: 'single'; url: string; statusUrl: string; expiresAt: string; headers?: Record<string, string> }
  | { kind: 'multipart'; uploadId: string; partSize: number; parts: Array<{ partNumber: number; url: string }>; expiresAt: string };

export interface UploadedPart {
  partNumber: number;
  etag: string;
}

export type OpenSource = (offset: number) => ReadableStream<Uint8Array> | Promise<ReadableStream<Uint8Array>>;

export interface UploadOptions {
  fetch?: typeof fetch;
  onProgress?(sent: number, total: number): void;
  /** A fresh target for the same upload (same uploadId), called when a URL has expired. */
  renew?(): Promise<UploadTarget>;
  signal?: AbortSignal;
  /** Consecutive failures without progress before giving up (default 5). */
  retries?: number;
  /** Piece size for single targets (default 8 MiB). */
  pieceSize?: number;
  /** Parts uploaded at once for multipart targets (default 4, lowered to respect maxInFlightBytes). */
  concurrency?: number;
  /**
   * Bytes of parts in flight at once (default 32 MiB). Node's fetch keeps a
   * streamed request body in memory until the request ends, so this is the
   * memory an upload costs there.
   */
  maxInFlightBytes?: number;
  /** Parts already stored (from the hub's listParts or an earlier onPartUploaded), skipped on resume. */
  uploadedParts?: UploadedPart[];
  /** Called as each multipart part is stored, so a caller can persist resume state. */
  onPartUploaded?(part: UploadedPart): void;
  /**
   * Called when the store has confirmed every byte before `offset` (growing
   * values only): the upload will not open the source before it again, so a
   * source that holds the payload in memory can let those bytes go.
   */
  onStored?(offset: number): void;
  /** First backoff delay in ms (default 500). */
  backoffMs?: number;
  /** Collect each piece in memory before sending it, for browsers that cannot stream request bodies. */
  bufferPieces?: boolean;
}

const MiB = 1024 * 1024;

type Init = RequestInit & { duplex?: 'half' };

async function putBody(doFetch: typeof fetch, url: string, body: ReadableStream<Uint8Array>, length: number, headers: Record<string, string>, buffer: boolean, signal?: AbortSignal): Promise<Response> {
  const init: Init = { method: 'PUT', headers: { ...headers, 'Content-Length': String(length) } };
  if (signal) init.signal = signal;
  if (buffer) init.body = await collect(body, length);
  else Object.assign(init, { body, duplex: 'half' });
  return doFetch(url, init);
}

export async function uploadPayload(target: UploadTarget, open: OpenSource, size: number, opts: UploadOptions = {}): Promise<{ parts?: UploadedPart[] }> {
  if (!Number.isSafeInteger(size) || size < 0) throw new TransferError('BAD_TARGET', `invalid payload size ${size}`);
  if (target.kind === 'multipart') return { parts: await uploadMultipart(target, open, size, opts) };
  await uploadSingle(target, open, size, opts);
  return {};
}

async function uploadSingle(first: Extract<UploadTarget, { kind: 'single' }>, open: OpenSource, size: number, opts: UploadOptions): Promise<void> {
  const doFetch = opts.fetch ?? fetch;
  const pieceSize = Math.max(1, opts.pieceSize ?? 8 * MiB);
  const budget = new Budget(opts.retries ?? 5, opts.backoffMs ?? 500, opts.signal);
  let target = first;

  const renew = async (what: string): Promise<void> => {
    if (!opts.renew) throw new TransferError('HTTP_ERROR', `${what}: URL expired and no renew() was given`, 403, 'URL_EXPIRED');
    budget.renewed(what);
    const next = await opts.renew();
    if (next.kind !== 'single') throw new TransferError('BAD_TARGET', 'renew() returned a multipart target for a single upload');
    target = next;
  };

  /** Offset the store holds, or null when it does not report one (whole-body mode). */
  const probe = async (): Promise<number | null> => {
    for (;;) {
      throwIfAborted(opts.signal);
      try {
        const init: RequestInit = { method: 'HEAD' };
        if (opts.signal) init.signal = opts.signal;
        const res = await doFetch(target.statusUrl, init);
        const header = res.headers.get('Upload-Offset');
        if (res.ok && header !== null && /^\d+$/.test(header)) return Number(header);
        if (res.ok || res.status === 404) return null;
        const failure = await describeFailure(res, target.expiresAt);
        if (failure.expired) await renew('upload status');
        else if (failure.retryable) await budget.failed(failure.message, 'upload status');
        else throw failureError(failure, 'upload status');
      } catch (err) {
        rethrowUnlessTransient(err, opts.signal);
        await budget.failed(err, 'upload status');
      }
    }
  };

  const initial = await probe();
  const whole = initial === null;
  let offset = initial ?? 0;
  let stored = 0;
  let sentEmpty = false;
  while (offset < size || (size === 0 && !sentEmpty)) {
    throwIfAborted(opts.signal);
    const start = whole ? 0 : offset;
    const length = whole ? size : Math.min(pieceSize, size - offset);
    let failure: Failure | undefined;
    try {
      let sent = 0;
      const body = await sliceStream(open, start, length, (n) => {
        sent += n;
        opts.onProgress?.(start + sent, size);
      });
      const headers = { ...target.headers };
      if (!whole && length > 0) headers['Content-Range'] = `bytes ${start}-${start + length - 1}/${size}`;
      const res = await putBody(doFetch, target.url, body, length, headers, opts.bufferPieces ?? false, opts.signal);
      if (res.ok) {
        await res.body?.cancel();
        const reported = res.headers.get('Upload-Offset');
        offset = !whole && reported !== null && /^\d+$/.test(reported) ? Number(reported) : start + length;
        if (offset > stored) opts.onStored?.((stored = offset));
        sentEmpty = true;
        budget.progressed();
        continue;
      }
      failure = await describeFailure(res, target.expiresAt);
    } catch (err) {
      rethrowUnlessTransient(err, opts.signal);
      await budget.failed(err, `upload at byte ${start}`);
    }
    if (failure?.expired) await renew(`upload at byte ${start}`);
    else if (failure?.status === 409 && failure.offset !== undefined && !whole) {
      // The store is elsewhere than we thought (a piece landed before the reply was lost).
      if (failure.offset === offset) await budget.failed(failure.message, `upload at byte ${start}`);
      offset = failure.offset;
      continue;
    } else if (failure && !failure.retryable) throw failureError(failure, `upload at byte ${start}`);
    else if (failure) await budget.failed(failure.message, `upload at byte ${start}`);
    const resumeAt = whole ? 0 : await probe();
    offset = resumeAt ?? 0;
  }
}

async function uploadMultipart(first: Extract<UploadTarget, { kind: 'multipart' }>, open: OpenSource, size: number, opts: UploadOptions): Promise<UploadedPart[]> {
  const doFetch = opts.fetch ?? fetch;
  const partSize = first.partSize;
  const count = Math.max(1, Math.ceil(size / partSize));
  if (!Number.isSafeInteger(partSize) || partSize <= 0) throw new TransferError('BAD_TARGET', `invalid part size ${partSize}`);
  let target = first;
  const urlFor = (t: typeof first, n: number): string => {
    const url = t.parts.find((p) => p.partNumber === n)?.url;
    if (!url) throw new TransferError('BAD_TARGET', `target has no URL for part ${n} of ${count}`);
    return url;
  };
  for (let n = 1; n <= count; n++) urlFor(target, n);

  const done = new Map<number, string>();
  for (const p of opts.uploadedParts ?? []) if (p.partNumber >= 1 && p.partNumber <= count) done.set(p.partNumber, p.etag);
  const partLength = (n: number): number => (n < count ? partSize : size - (count - 1) * partSize);
  const inFlight = new Map<number, number>();
  const report = (): void => {
    let sent = 0;
    for (const n of done.keys()) sent += partLength(n);
    for (const b of inFlight.values()) sent += b;
    opts.onProgress?.(sent, size);
  };

  // One renewal at a time; parts that saw the old target wait for the new one.
  let renewing: Promise<void> | null = null;
  const renewals = new Budget(opts.retries ?? 5, 0);
  const renewFrom = async (seen: typeof first): Promise<void> => {
    if (target !== seen) return;
    if (!opts.renew) throw new TransferError('HTTP_ERROR', 'part URL expired and no renew() was given', 403, 'URL_EXPIRED');
    const renewFn = opts.renew;
    renewing ??= (async () => {
      renewals.renewed('multipart upload');
      const next = await renewFn();
      if (next.kind !== 'multipart' || next.uploadId !== first.uploadId || next.partSize !== partSize) {
        throw new TransferError('BAD_TARGET', 'renew() returned a target for a different upload');
      }
      target = next;
    })().finally(() => {
      renewing = null;
    });
    await renewing;
  };

  const stop = new AbortController();
  const onOuterAbort = (): void => stop.abort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const uploadPart = async (n: number): Promise<void> => {
    const budget = new Budget(opts.retries ?? 5, opts.backoffMs ?? 500, stop.signal);
    const start = (n - 1) * partSize;
    const length = partLength(n);
    for (;;) {
      throwIfAborted(stop.signal);
      const seen = target;
      let failure: Failure | undefined;
      try {
        inFlight.set(n, 0);
        const body = await sliceStream(open, start, length, (b) => {
          inFlight.set(n, (inFlight.get(n) ?? 0) + b);
          report();
        });
        const res = await putBody(doFetch, urlFor(seen, n), body, length, {}, opts.bufferPieces ?? false, stop.signal);
        if (res.ok) {
          await res.body?.cancel();
          const etag = res.headers.get('ETag');
          if (!etag) throw new TransferError('BAD_TARGET', `part ${n} stored but no ETag came back (the bucket's CORS must expose ETag)`);
          inFlight.delete(n);
          done.set(n, etag);
          opts.onPartUploaded?.({ partNumber: n, etag });
          report();
          storedPrefix();
          return;
        }
        failure = await describeFailure(res, seen.expiresAt);
      } catch (err) {
        inFlight.delete(n);
        rethrowUnlessTransient(err, stop.signal);
        await budget.failed(err, `part ${n}`);
        continue;
      }
      inFlight.delete(n);
      if (failure.expired) await renewFrom(seen);
      else if (failure.retryable) await budget.failed(failure.message, `part ${n}`);
      else throw failureError(failure, `part ${n}`);
    }
  };

  let prefixParts = 0;
  const storedPrefix = (): void => {
    const before = prefixParts;
    while (prefixParts < count && done.has(prefixParts + 1)) prefixParts++;
    if (prefixParts > before) opts.onStored?.(prefixParts === count ? size : prefixParts * partSize);
  };

  const queue: number[] = [];
  for (let n = 1; n <= count; n++) if (!done.has(n)) queue.push(n);
  report();
  storedPrefix();
  const byMemory = Math.floor((opts.maxInFlightBytes ?? 32 * MiB) / partSize);
  const workers = Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, byMemory, queue.length)) }, async () => {
    for (let n = queue.shift(); n !== undefined; n = queue.shift()) await uploadPart(n);
  });
  try {
    const results = await Promise.allSettled(workers.map((w) => w.catch((err: unknown) => { stop.abort(); throw err; })));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      const outer = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !(r.reason instanceof TransferError && r.reason.code === 'ABORTED'));
      throw (outer ?? failed).reason;
    }
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
  return [...done.entries()].sort((a, b) => a[0] - b[0]).map(([partNumber, etag]) => ({ partNumber, etag }));
}
