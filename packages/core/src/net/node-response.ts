/**
 * @module net/node-response
 * The Response and Headers that nodeFetch answers with, made without undici.
 * Node's Response, Headers and Request globals are getters that load undici
 * (with its http2 and tls) the first time anything touches them: 25-35 ms
 * of every `dme` command's start (CPU profile of `dme datasets list`), for
 * answers the CLI only reads. These classes keep the Fetch standard's
 * behaviour for what a reader does: case-insensitive headers with repeated
 * values joined by ", " (Set-Cookie kept apart), a body stream read at most
 * once, json/text/arrayBuffer/bytes/blob, clone by teeing.
 */

type HeadersInit = ConstructorParameters<typeof Headers>[0];

/** Headers of a request or an answer: names lowercased; a repeated name keeps every value. */
export class NodeHeaders implements Headers {
  readonly #values = new Map<string, string[]>();

  constructor(init?: HeadersInit | Iterable<readonly [string, string]>) {
    if (!init) return;
    if (Symbol.iterator in init) {
      for (const [name, value] of init as Iterable<readonly [string, string]>) this.append(name, value);
    } else {
      for (const [name, value] of Object.entries(init as Record<string, string | readonly string[]>)) {
        for (const v of typeof value === 'string' ? [value] : value) this.append(name, v);
      }
    }
  }

  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const list = this.#values.get(key);
    if (list) list.push(String(value));
    else this.#values.set(key, [String(value)]);
  }

  delete(name: string): void {
    this.#values.delete(name.toLowerCase());
  }

  get(name: string): string | null {
    return this.#values.get(name.toLowerCase())?.join(', ') ?? null;
  }

  getSetCookie(): string[] {
    return [...(this.#values.get('set-cookie') ?? [])];
  }

  has(name: string): boolean {
    return this.#values.has(name.toLowerCase());
  }

  set(name: string, value: string): void {
    this.#values.set(name.toLowerCase(), [String(value)]);
  }

  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const [key, value] of this) callback.call(thisArg, value, key, this);
  }

  *entries(): Generator<[string, string], undefined> {
    // Sorted by name, as the standard's iteration is; Set-Cookie values one by one.
    for (const key of [...this.#values.keys()].sort()) {
      if (key === 'set-cookie') for (const v of this.#values.get(key)!) yield [key, v];
      else yield [key, this.get(key)!];
    }
  }

  *keys(): Generator<string, undefined> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): Generator<string, undefined> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): Generator<[string, string], undefined> {
    return this.entries();
  }
}

export interface AnswerInit {
  status: number;
  statusText: string;
  headers: Headers;
  url: string;
  redirected: boolean;
}

export class NodeResponse implements Response {
  #body: ReadableStream<Uint8Array> | null;
  #used = false;
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly url: string;
  readonly redirected: boolean;
  readonly type: Response['type'] = 'basic';

  constructor(body: ReadableStream<Uint8Array> | null, init: AnswerInit) {
    this.#body = body;
    this.status = init.status;
    this.statusText = init.statusText;
    this.headers = init.headers;
    this.url = init.url;
    this.redirected = init.redirected;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    return this.#body as ReadableStream<Uint8Array<ArrayBuffer>> | null;
  }

  get bodyUsed(): boolean {
    return this.#used || (this.#body?.locked ?? false);
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    if (!this.#body) return new Uint8Array(0);
    const parts: Uint8Array[] = [];
    let length = 0;
    for await (const part of this.#body) {
      parts.push(part);
      length += part.byteLength;
    }
    const out = new Uint8Array(length);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.byteLength;
    }
    return out;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.bytes()).buffer;
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async blob(): Promise<Blob> {
    return new Blob([await this.bytes()], { type: this.headers.get('content-type') ?? '' });
  }

  async formData(): Promise<FormData> {
    throw new TypeError('formData() is not supported by nodeFetch answers');
  }

  clone(): Response {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed');
    let other: ReadableStream<Uint8Array> | null = null;
    if (this.#body) [this.#body, other] = this.#body.tee();
    const headers = new NodeHeaders(this.headers);
    return new NodeResponse(other, { status: this.status, statusText: this.statusText, headers, url: this.url, redirected: this.redirected });
  }
}
