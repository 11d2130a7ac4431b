/**
 * @module net/direct-get
 * An HTTP/1.1 GET whose body is read straight from the socket into one
 * reused buffer, for payload downloads (hundreds of MB). Through node:http
 * and a web Response, every 64 KiB of a body cost two fresh buffers (the
 * socket's read, then the parser's copy of the body part) and a stream
 * promise, and all of it was garbage a moment later. Measured, 358 MB from a
 * local hub, 3 runs each: 0.82-0.98 CPU-s through nodeFetch, 0.39-0.51 s
 * this way, curl -o 0.27-0.35 s (the download's SHA-256 is ~0.22 s of ours).
 *
 * What it does is what a presigned object GET needs: request headers (Range),
 * http and https, redirects, bodies framed by Content-Length, chunked or the
 * connection's end, an AbortSignal. One request per connection. As with
 * fetch, a network failure (also a malformed answer or a body cut short)
 * rejects with a TypeError whose `cause` says why, an abort with the
 * signal's reason.
 *
 * Invariant: a chunk `read()` returns lies in the reused buffer and is only
 * valid until the next `read()` or `cancel()`: the socket stays paused while
 * the caller holds it.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { InPlaceResponse } from '../sdk/transfer-download.js';
import { fetchFailed as failed } from './fetch-failed.js';
import { BodyReader, HeadReader } from './http-answer.js';
import { NodeHeaders, NodeResponse } from './node-response.js';

/** One read from the socket at most; 256 KiB: fewer wake-ups than 64 KiB, still in L2. */
const READ_BUFFER_BYTES = 256 * 1024;
const MAX_REDIRECTS = 20;
/** Bytes of a failure's body kept for its Response (the SDK reads a few hundred). */
const MAX_FAILURE_BODY = 64 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface DirectGetInit {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** For https: the CA to trust instead of the system's (a test's self-signed server). */
  ca?: string | Uint8Array;
}

/** The SDK's in-place answer (read, cancel, toResponse), plus where it came from after redirects. */
export interface DirectResponse extends InPlaceResponse {
  statusText: string;
  url: string;
}

/** Opens one connection, sends the GET, and resolves once the answer's head arrived. */
function getOnce(target: URL, init: DirectGetInit): Promise<DirectResponse> {
  const { signal } = init;
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  const secure = target.protocol === 'https:';
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(target.port || (secure ? 443 : 80));
  const buffer = new Uint8Array(READ_BUFFER_BYTES);

  return new Promise<DirectResponse>((resolveHead, rejectHead) => {
    const heads = new HeadReader();
    let body: BodyReader | undefined;
    /** Body parts of the last socket read, not yet handed out (views of `buffer`). */
    let parts: Uint8Array[] = [];
    let ended = false;
    let failure: Error | undefined;
    let waiting: { resolve(c: Uint8Array | null): void; reject(e: Error): void } | undefined;

    const settle = (): void => {
      if (!waiting) return;
      const w = waiting;
      if (parts.length) {
        waiting = undefined;
        w.resolve(parts.shift()!);
      } else if (failure) {
        waiting = undefined;
        w.reject(failure);
      } else if (ended) {
        waiting = undefined;
        w.resolve(null);
      }
    };
    const fail = (err: Error): void => {
      if (ended || failure) return;
      failure = err;
      socket.destroy();
      if (!body) rejectHead(err);
      settle();
    };
    const finish = (): void => {
      if (ended || failure) return;
      ended = true;
      socket.destroy();
      settle();
    };
    const onAbort = (): void => fail(signal!.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });

    const res: DirectResponse = {
      status: 0,
      statusText: '',
      url: target.href,
      headers: new NodeHeaders(),
      read: () => {
        if (parts.length) return Promise.resolve(parts.shift()!);
        if (failure) return Promise.reject(failure);
        if (ended) return Promise.resolve(null);
        if (waiting) return Promise.reject(new Error('directGet: read() while a read is pending'));
        return new Promise<Uint8Array | null>((resolve, reject) => {
          waiting = { resolve, reject };
          socket.resume();
        });
      },
      cancel: () => {
        parts = [];
        fail(new Error('the body was cancelled'));
      },
      toResponse: async () => {
        const kept: Uint8Array[] = [];
        let size = 0;
        try {
          for (let c; size < MAX_FAILURE_BODY && (c = await res.read()) !== null; size += c.byteLength) kept.push(c.slice());
        } catch {
          // what arrived is enough to describe the failure
        }
        res.cancel();
        const content = res.status === 204 || res.status === 205 || res.status === 304 ? null : Buffer.concat(kept).subarray(0, MAX_FAILURE_BODY);
        const body = content && new ReadableStream<Uint8Array>({ start: (ctl) => (ctl.enqueue(content), ctl.close()) });
        return new NodeResponse(body, { status: res.status, statusText: res.statusText, headers: res.headers, url: res.url, redirected: false });
      },
    };

    const onData = (n: number): boolean => {
      try {
        let bytes: Uint8Array = buffer.subarray(0, n);
        if (!body) {
          const got = heads.take(bytes);
          if (!got) return true;
          body = new BodyReader(got.head);
          bytes = got.rest;
          Object.assign(res, { status: got.head.status, statusText: got.head.statusText, headers: got.head.headers });
          resolveHead(res);
        }
        body.take(bytes, parts);
        if (body.ended) {
          ended = true;
          socket.destroy();
          settle();
          return false;
        }
        if (!parts.length) return true;
        settle();
        return false; // paused until the parts were handed out
      } catch (e) {
        fail(e instanceof Error ? e : new Error(String(e)));
        return false;
      }
    };

    const options = { host, port, onread: { buffer, callback: onData } };
    const socket: Socket = secure ? tlsConnect({ ...options, ...(isIP(host) ? {} : { servername: host }), ...(init.ca ? { ca: [init.ca as string] } : {}) }) : netConnect(options);
    socket.setNoDelay(true);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      const lines = [`GET ${target.pathname}${target.search} HTTP/1.1`, `Host: ${target.host}`, 'Connection: close'];
      for (const [k, v] of Object.entries(init.headers ?? {})) {
        if (/[\r\n]/.test(k + v)) return fail(failed('header with a line break'));
        lines.push(`${k}: ${v}`);
      }
      socket.write(lines.join('\r\n') + '\r\n\r\n');
    });
    socket.on('error', (e) => fail(failed(e)));
    socket.on('end', () => {
      if (body?.untilClose) return finish();
      fail(failed(body ? 'connection closed before the body ended' : 'connection closed before an answer'));
    });
    socket.on('close', () => {
      signal?.removeEventListener('abort', onAbort);
      if (!ended) fail(failed('connection closed before the body ended'));
    });
  });
}

/** GETs `url` (http or https), following redirects; resolves once the final answer's head arrived. */
export async function directGet(url: string, init: DirectGetInit = {}): Promise<DirectResponse> {
  let target = new URL(url);
  for (let hops = 0; ; hops++) {
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw failed(`unsupported protocol ${target.protocol}`);
    const res = await getOnce(target, init);
    const location = res.headers.get('location');
    if (!REDIRECTS.has(res.status) || location === null) return res;
    res.cancel();
    if (hops >= MAX_REDIRECTS) throw failed('too many redirects');
    target = new URL(location, target);
  }
}
