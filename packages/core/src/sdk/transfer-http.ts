/**
 * @module sdk/transfer-http
 * The plumbing under sdk/transfer: the typed TransferError, reading a failed
 * response into "expired / retry / give up", bounded exponential backoff, and
 * cutting an exact byte slice out of a source stream. Web-standard only.
 */
import { isTransportFailure } from './client-http.js';

export type TransferErrorCode =
  | 'HTTP_ERROR'
  | 'RETRIES_EXHAUSTED'
  | 'ABORTED'
  | 'SIZE_MISMATCH'
  | 'SOURCE_ENDED'
  | 'BAD_TARGET'
  | 'WRITE_FAILED';

export class TransferError extends Error {
  override readonly name = 'TransferError';
  constructor(
    readonly code: TransferErrorCode,
    message: string,
    readonly status?: number,
    /** The store's own error code (`{ error: { code } }` JSON or S3 `<Code>`), when there was one. */
    readonly remoteCode?: string,
  ) {
    super(message);
  }
}

/** What a failed response means for the transfer loop. */
export interface Failure {
  status: number;
  /** The URL is past its expiry: get a fresh one and carry on. */
  expired: boolean;
  /** Worth trying again after a pause (5xx, 408, 429). */
  retryable: boolean;
  remoteCode?: string;
  message: string;
  /** The store's current offset, when it told us (409 on a misplaced piece). */
  offset?: number;
}

const ERROR_BODY_LIMIT = 64 * 1024;

async function readSmallText(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (text.length > ERROR_BODY_LIMIT) {
      await reader.cancel();
      break;
    }
  }
  return text;
}

/**
 * Classifies a non-2xx response. Expiry is recognised from our hub's
 * `URL_EXPIRED`, from S3's `AccessDenied … Request has expired`, and from a
 * bare 403 once the URL's advertised `expiresAt` has passed.
 */
export async function describeFailure(res: Response, expiresAt?: string): Promise<Failure> {
  const text = await readSmallText(res).catch(() => '');
  let remoteCode: string | undefined;
  let message = text.slice(0, 300) || res.statusText;
  let offset: number | undefined;
  const header = res.headers.get('Upload-Offset');
  if (header !== null && /^\d+$/.test(header)) offset = Number(header);
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: { offset?: unknown } } };
    if (typeof parsed.error?.code === 'string') remoteCode = parsed.error.code;
    if (typeof parsed.error?.message === 'string') message = parsed.error.message;
    if (typeof parsed.error?.details?.offset === 'number') offset = parsed.error.details.offset;
  } catch {
    const code = /<Code>([^<]{1,100})<\/Code>/.exec(text);
    const msg = /<Message>([^<]{1,300})<\/Message>/.exec(text);
    if (code?.[1]) remoteCode = code[1];
    if (msg?.[1]) message = msg[1];
  }
  const pastExpiry = expiresAt !== undefined && Date.parse(expiresAt) <= Date.now();
  const expired =
    res.status === 403 &&
    (remoteCode === 'URL_EXPIRED' || (remoteCode === 'AccessDenied' && /expired/i.test(message)) || pastExpiry);
  const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
  return { status: res.status, expired, retryable, message, ...(remoteCode ? { remoteCode } : {}), ...(offset !== undefined ? { offset } : {}) };
}

export function failureError(f: Failure, what: string): TransferError {
  return new TransferError('HTTP_ERROR', `${what} failed with HTTP ${f.status}${f.remoteCode ? ` ${f.remoteCode}` : ''}: ${f.message}`, f.status, f.remoteCode);
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TransferError('ABORTED', 'transfer aborted');
}

/** Backoff before retry `attempt` (1-based): base·2^(n-1), capped at 10 s, with jitter in [50%, 100%]. */
export function backoffDelay(attempt: number, baseMs: number): number {
  const ceiling = Math.min(10_000, baseMs * 2 ** Math.min(attempt - 1, 20));
  return ceiling * (0.5 + Math.random() / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new TransferError('ABORTED', 'transfer aborted'));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new TransferError('ABORTED', 'transfer aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Rethrows anything that is not a passing network failure: our own errors
 * (also when fetch wraps them as `cause`, e.g. a source that ended early),
 * caller errors, and aborts of the caller's signal. What is left (fetch's
 * TypeError on a dropped connection, a per-request abort or timeout) is retried.
 */
export function rethrowUnlessTransient(err: unknown, signal?: AbortSignal): void {
  if (signal?.aborted) throw err instanceof TransferError ? err : new TransferError('ABORTED', 'transfer aborted');
  if (err instanceof TransferError) throw err;
  if (err instanceof Error && err.cause instanceof TransferError) throw err.cause;
  if (isTransportFailure(err)) return;
  throw err;
}

/**
 * Exactly `length` bytes of the source starting at `start`: opens the source
 * there, stops after `length` bytes (cancelling the rest) and errors if the
 * source ends early. `onBytes` sees each chunk as the consumer pulls it.
 */
export async function sliceStream(
  open: (offset: number) => ReadableStream<Uint8Array> | Promise<ReadableStream<Uint8Array>>,
  start: number,
  length: number,
  onBytes: (n: number) => void,
): Promise<ReadableStream<Uint8Array>> {
  const reader = (await open(start)).getReader();
  let remaining = length;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (remaining === 0) {
        controller.close();
        await reader.cancel().catch(() => undefined);
        return;
      }
      const { done, value } = await reader.read();
      if (done) {
        controller.error(new TransferError('SOURCE_ENDED', `source ended ${remaining} bytes early (slice at ${start}, ${length} bytes)`));
        return;
      }
      const chunk = value.byteLength > remaining ? value.subarray(0, remaining) : value;
      remaining -= chunk.byteLength;
      onBytes(chunk.byteLength);
      controller.enqueue(chunk);
      if (remaining === 0) {
        controller.close();
        await reader.cancel().catch(() => undefined);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** Collects a (bounded) slice into memory, for runtimes that cannot stream request bodies. */
export async function collect(stream: ReadableStream<Uint8Array>, length: number): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(length);
  let at = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    out.set(value, at);
    at += value.byteLength;
  }
  return out;
}

/** Tracks consecutive failures and renewals since the last progress; throws when either bound is hit. */
export class Budget {
  failures = 0;
  renewals = 0;
  constructor(private readonly retries: number, private readonly backoffMs: number, private readonly signal?: AbortSignal) {}
  progressed(): void {
    this.failures = 0;
    this.renewals = 0;
  }
  async failed(cause: unknown, what: string): Promise<void> {
    throwIfAborted(this.signal);
    if (++this.failures > this.retries) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      throw new TransferError('RETRIES_EXHAUSTED', `${what}: gave up after ${this.retries} retries (${detail})`);
    }
    await sleep(backoffDelay(this.failures, this.backoffMs), this.signal);
  }
  renewed(what: string): void {
    if (++this.renewals > this.retries) throw new TransferError('RETRIES_EXHAUSTED', `${what}: URL kept expiring after ${this.retries} renewals`);
  }
}
