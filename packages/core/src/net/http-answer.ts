/**
 * @module net/http-answer
 * Reading an HTTP/1.1 answer from raw socket bytes, for net/direct-get: the
 * head (status line and headers, gathered across reads), then the body cut
 * out of each read by its framing (Content-Length, chunked, or the
 * connection's end). Body parts are views of the bytes given, never copies.
 *
 * Errors are TypeErrors whose `cause` says what was wrong, as fetch reports
 * a malformed answer.
 */
import { fetchFailed } from './fetch-failed.js';
import { NodeHeaders } from './node-response.js';

const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE = 1024;

export interface Head {
  status: number;
  statusText: string;
  headers: NodeHeaders;
}

/** RFC 9110 token: what a header name may be made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function parseHead(text: string): Head {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!m) throw fetchFailed(`malformed status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const headers = new NodeHeaders();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (colon <= 0 || !TOKEN.test(name) || value.includes('\0')) throw fetchFailed(`malformed header line: ${JSON.stringify(line.slice(0, 80))}`);
    headers.append(name, value);
  }
  const status = Number(m[1]);
  if (status < 100 || status > 599) throw fetchFailed(`status ${status} out of range`);
  return { status, statusText: m[2] ?? '', headers };
}

/** Gathers the head of the final answer (interim 1xx answers are skipped) across socket reads. */
export class HeadReader {
  private pending: Uint8Array[] = [];
  private length = 0;

  /**
   * Takes one read; returns the head and the rest of the read (the body's
   * first bytes, a view of `bytes`) once the final head is complete.
   */
  take(bytes: Uint8Array): { head: Head; rest: Uint8Array } | undefined {
    for (let read = bytes; ; ) {
      this.pending.push(read.slice());
      this.length += read.byteLength;
      const all = Buffer.concat(this.pending, this.length);
      const end = all.indexOf('\r\n\r\n');
      if ((end < 0 ? this.length : end) > MAX_HEAD_BYTES) throw fetchFailed('response head too large');
      if (end < 0) {
        this.pending = [all];
        return undefined;
      }
      const head = parseHead(all.subarray(0, end).toString('latin1'));
      // The head ended in this read: what follows it is still in `read`, not copied.
      const rest = read.subarray(read.byteLength - (this.length - (end + 4)));
      this.pending = [];
      this.length = 0;
      if (head.status >= 200) return { head, rest };
      if (rest.byteLength === 0) return undefined; // an interim answer; the final one follows
      read = rest;
    }
  }
}

/** Cuts a body out of socket reads by its framing. */
export class BodyReader {
  /** All of the body has been seen. */
  ended = false;
  private readonly kind: 'length' | 'chunked' | 'close';
  private left = 0;
  // Chunked: what comes next, the size line read so far, bytes left in the current chunk.
  private chunkState: 'size' | 'data' | 'data-end' | 'trailer' = 'size';
  private chunkLine = '';

  constructor(head: Head) {
    if (head.status === 204 || head.status === 304) {
      this.kind = 'length';
      this.ended = true;
    } else if (/(^|,)\s*chunked\s*$/i.test(head.headers.get('transfer-encoding') ?? '')) {
      this.kind = 'chunked';
    } else {
      const length = head.headers.get('content-length');
      if (length !== null && !/^\d+$/.test(length)) throw fetchFailed(`malformed Content-Length: ${length}`);
      this.kind = length === null ? 'close' : 'length';
      this.left = Number(length ?? 0);
      this.ended = this.kind === 'length' && this.left === 0;
    }
  }

  /** Whether the body runs until the connection ends (no length, not chunked). */
  get untilClose(): boolean {
    return this.kind === 'close';
  }

  /** Appends the body parts of one read to `parts` (views of `bytes`); bytes after the body are ignored. */
  take(bytes: Uint8Array, parts: Uint8Array[]): void {
    if (this.ended) return;
    if (this.kind === 'close') {
      if (bytes.byteLength) parts.push(bytes);
      return;
    }
    if (this.kind === 'length') {
      const n = Math.min(bytes.byteLength, this.left);
      if (n) parts.push(bytes.subarray(0, n));
      this.left -= n;
      this.ended = this.left === 0;
      return;
    }
    for (let at = 0; at < bytes.byteLength && !this.ended; ) {
      if (this.chunkState === 'data') {
        const n = Math.min(bytes.byteLength - at, this.left);
        parts.push(bytes.subarray(at, at + n));
        at += n;
        this.left -= n;
        if (this.left === 0) this.chunkState = 'data-end';
        continue;
      }
      const nl = bytes.indexOf(10, at);
      const end = nl < 0 ? bytes.byteLength : nl + 1;
      this.chunkLine += Buffer.from(bytes.buffer, bytes.byteOffset + at, end - at).toString('latin1');
      at = end;
      if (this.chunkLine.length > MAX_CHUNK_LINE) throw fetchFailed('chunk header too long');
      if (nl < 0) break;
      this.line(this.chunkLine.replace(/\r?\n$/, ''));
      this.chunkLine = '';
    }
  }

  private line(line: string): void {
    if (this.chunkState === 'data-end') {
      if (line !== '') throw fetchFailed('chunk data longer than its size');
      this.chunkState = 'size';
    } else if (this.chunkState === 'size') {
      const size = /^([0-9a-fA-F]{1,12})\s*(;.*)?$/.exec(line);
      if (!size) throw fetchFailed(`malformed chunk size: ${JSON.stringify(line.slice(0, 40))}`);
      this.left = parseInt(size[1]!, 16);
      this.chunkState = this.left === 0 ? 'trailer' : 'data';
    } else if (line === '') this.ended = true; // the empty line after the trailers
  }
}
