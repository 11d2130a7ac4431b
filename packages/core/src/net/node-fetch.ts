/**
 * @module net/node-fetch
 * `fetch` over node:http and node:https, for the CLI and other Node hosts of
 * the SDK (which takes any fetch). Why not Node's own: its undici compiles an
 * llhttp WebAssembly module on the first request of every process, and for a
 * `dme` command that is most of its start-up. Measured here, one GET to the
 * hub: 333 ms CPU and 12.0k page faults with fetch, 158 ms and 3.6k with
 * node:http (its parser is native) plus the Response class.
 *
 * What it does is what the SDK and the sync engine use: method, headers,
 * a body (string, bytes, or a web ReadableStream sent with its Content-Length
 * or chunked, with backpressure), an AbortSignal, and redirects for bodies
 * that can be sent again. The answer is a Response (net/node-response: the
 * standard's read side, without loading undici) whose body is a web stream
 * pulled from the socket. As with fetch, a network failure rejects
 * with a TypeError whose `cause` says why, an abort with the signal's reason,
 * and a body source that fails rejects with a TypeError whose `cause` is that
 * failure. Connections are kept alive by Node's global agents (their idle
 * sockets do not keep a process running).
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { fetchFailed as failed } from './fetch-failed.js';
import { NodeHeaders, NodeResponse } from './node-response.js';

const MAX_REDIRECTS = 20;
/** Statuses whose Response must have no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

type Body = string | Uint8Array | ReadableStream<Uint8Array> | null;

function bodyOf(init: RequestInit): Body {
  const b = init.body;
  if (b === undefined || b === null) return null;
  if (typeof b === 'string' || b instanceof Uint8Array || b instanceof ReadableStream) return b as Body;
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (b instanceof URLSearchParams) return b.toString();
  throw new TypeError('nodeFetch: unsupported body type (Blob and FormData are not needed here)');
}

/** Resolves when the request can take more bytes; rejects if it closed first. */
function drained(req: ClientRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      req.off('drain', done);
      req.off('close', closed);
      resolve();
    };
    const closed = (): void => {
      req.off('drain', done);
      req.off('close', closed);
      reject(new Error('connection closed while sending the body'));
    };
    req.on('drain', done);
    req.on('close', closed);
  });
}

/**
 * Sends a streamed body. Stops without ending the request once an answer has
 * come (a refusal before the body was read): the connection is then not
 * reused. A source failure is returned, for fetch to reject with.
 */
async function sendStream(req: ClientRequest, body: ReadableStream<Uint8Array>, answered: () => boolean): Promise<unknown> {
  const reader = body.getReader();
  try {
    for (;;) {
      if (answered()) {
        void reader.cancel().catch(() => undefined);
        return undefined;
      }
      const { done, value } = await reader.read();
      if (done) break;
      if (req.destroyed) return undefined;
      if (!req.write(value)) await drained(req);
    }
    req.end();
    return undefined;
  } catch (err) {
    void reader.cancel(err).catch(() => undefined);
    return err;
  }
}

/** The response body as a web stream, pulled from the socket as it is read. */
function webBody(res: IncomingMessage, signal: AbortSignal | undefined, onEnd: () => void): ReadableStream<Uint8Array> {
  const chunks = res[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(ctl) {
        try {
          const step = await chunks.next();
          if (step.done) {
            onEnd();
            ctl.close();
          } else ctl.enqueue(step.value);
        } catch (err) {
          onEnd();
          ctl.error(signal?.aborted ? signal.reason : failed(err));
        }
      },
      cancel() {
        // A body already received whole (a small answer) is drained, so the
        // connection goes back to the agent: destroying it cost every upload
        // piece a new connection. One still arriving is cut off.
        if (res.complete) res.resume();
        else res.destroy();
        onEnd();
      },
    },
    { highWaterMark: 0 },
  );
}

function responseHeaders(res: IncomingMessage): NodeHeaders {
  const headers = new NodeHeaders();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

interface Attempt {
  url: URL;
  method: string;
  headers: NodeHeaders;
  body: Body;
  signal: AbortSignal | undefined;
}

function send(a: Attempt): Promise<{ res: IncomingMessage; req: ClientRequest }> {
  return new Promise((resolve, reject) => {
    const { signal } = a;
    if (signal?.aborted) return reject(signal.reason);
    const headers: Record<string, string> = {};
    for (const [k, v] of a.headers) headers[k] = v;
    const bytes = typeof a.body === 'string' ? Buffer.from(a.body) : a.body instanceof Uint8Array ? a.body : null;
    if (bytes && headers['content-length'] === undefined) headers['content-length'] = String(bytes.byteLength);
    const request = a.url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    let answered = false;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      reject(signal?.aborted ? signal.reason : err instanceof TypeError ? err : failed(err));
    };
    const onAbort = (): void => {
      req.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      fail(signal?.reason);
    };
    const req = request(a.url, { method: a.method, headers });
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', fail);
    req.on('response', (res) => {
      answered = true;
      if (settled) return void res.destroy();
      settled = true;
      // The abort listener stays: it also breaks off the body being read.
      res.once('close', () => signal?.removeEventListener('abort', onAbort));
      resolve({ res, req });
    });
    if (a.body instanceof ReadableStream) {
      void sendStream(req, a.body, () => answered).then((err) => {
        if (err === undefined) return;
        req.destroy();
        fail(failed(err));
      });
    } else req.end(bytes ?? undefined);
  });
}

export const nodeFetch: typeof fetch = async (input, init = {}) => {
  // A Request is left to Node's own fetch. Not `instanceof Request`: touching that global loads undici (net/node-response).
  if (typeof input !== 'string' && !(input instanceof URL)) return globalThis.fetch(input, init);
  let attempt: Attempt = {
    url: new URL(String(input)),
    method: (init.method ?? 'GET').toUpperCase(),
    headers: new NodeHeaders(init.headers),
    body: bodyOf(init),
    signal: init.signal ?? undefined,
  };
  for (let hops = 0; ; hops++) {
    if (attempt.url.protocol !== 'http:' && attempt.url.protocol !== 'https:') throw failed(`unsupported protocol ${attempt.url.protocol}`);
    const { res, req } = await send(attempt);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && status !== 304 && location && init.redirect !== 'manual') {
      res.resume();
      if (init.redirect === 'error') throw failed(`redirected to ${location}`);
      if (hops >= MAX_REDIRECTS) throw failed('too many redirects');
      if (attempt.body instanceof ReadableStream) throw failed('cannot follow a redirect with a streamed body');
      const toGet = status === 303 ? attempt.method !== 'HEAD' : (status === 301 || status === 302) && attempt.method === 'POST';
      const next = new URL(location, attempt.url);
      const headers = new NodeHeaders(attempt.headers);
      if (toGet) for (const h of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']) headers.delete(h);
      if (next.origin !== attempt.url.origin) headers.delete('authorization');
      attempt = { ...attempt, url: next, headers, ...(toGet ? { method: 'GET', body: null } : {}) };
      continue;
    }
    const finish = (): void => {
      // A request whose body was cut short cannot leave its socket for reuse.
      if (!req.writableFinished) req.destroy();
    };
    const empty = NULL_BODY.has(status) || attempt.method === 'HEAD';
    if (empty) {
      res.resume();
      finish();
    }
    return new NodeResponse(empty ? null : webBody(res, attempt.signal, finish), {
      status,
      statusText: res.statusMessage ?? '',
      headers: responseHeaders(res),
      url: attempt.url.href,
      redirected: hops > 0,
    });
  }
};
