/**
 * @module env
 * The Hono environment shared by every router: what middleware puts on the
 * context. `caller` is set by `requireAuth` (or by the limiter, through the
 * same `authenticate`).
 */
import type { ApiKeyScope, Feature, Tier } from '@dme/core/protocol';
import type { LimitedRequest } from './limits/respond.js';
import type { AccountRecord } from './store/types.js';

export interface Caller {
  accountId: string;
  features: Feature[];
  tier: Tier;
  /** What the credential may do; a login session (JWT) may do everything the account may. */
  scopes: ApiKeyScope[];
  via: 'jwt' | 'apikey';
  /** Set when `via === 'apikey'`. */
  apiKeyId?: string;
  /** The account row as loaded for this request (saves handlers a lookup). */
  account: AccountRecord;
}

export interface HubEnv {
  Variables: {
    caller: Caller;
    /** Set by the limiter before the route runs, for routes that answer with limits/respond. */
    rateLimit?: LimitedRequest;
  };
}
