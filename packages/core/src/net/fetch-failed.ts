/**
 * @module net/fetch-failed
 * How the SDK's HTTP clients (net/node-fetch, net/direct-get) report a
 * network or protocol failure: as fetch does, a TypeError "fetch failed"
 * whose `cause` says why. The transfer code retries on exactly that shape.
 */

/** `why`: the underlying error, or a message for one. */
export function fetchFailed(why: unknown): TypeError {
  return new TypeError('fetch failed', { cause: typeof why === 'string' ? new Error(why) : why });
}
