/**
 * @module limits/respond
 * Answers that carry the RateLimit fields from the start, for hot routes.
 *
 * The limiter computes its fields before the route runs and, by default, adds
 * them to whatever response comes back. On Node that is costly: touching
 * `res.headers` turns @hono/node-server's plain header object into a Fetch
 * `Headers`, which is then iterated again to write the answer. A route that
 * answers here gets the fields in the same plain object, and the limiter,
 * recognising the response, leaves it alone. Any other answer (errors
 * included) still gets them added by the limiter.
 *
 * The response is built directly, not with `c.body`: Hono turns more than one
 * header into `Headers` too. So headers prepared with `c.header()` do not
 * reach it; nothing in the hub prepares any. The header object is a literal:
 * spreading one object into another measured ~1 µs.
 */
import type { Context } from 'hono';
import type { HubEnv } from '../env.js';
import type { RateLimitFields } from './headers.js';

/** What the limiter puts on the context of a limited request. */
export interface LimitedRequest {
  fields: RateLimitFields;
  /** The answer built with `fields` already in it, if the route used respondWithLimits. */
  carriedBy?: Response;
}

/** `body` as `contentType` with `status`, plus the limiter's RateLimit fields when limits are on. */
export function respondWithLimits(c: Context<HubEnv>, body: string, status: number, contentType: string): Response {
  const limited = c.get('rateLimit');
  if (!limited) return new Response(body, { status, headers: { 'Content-Type': contentType } });
  const { fields } = limited;
  const res = new Response(body, { status, headers: { 'Content-Type': contentType, 'RateLimit-Policy': fields['RateLimit-Policy'], RateLimit: fields.RateLimit } });
  limited.carriedBy = res;
  return res;
}
