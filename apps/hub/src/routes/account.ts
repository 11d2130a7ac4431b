/**
 * @module routes/account
 * The calling account, mounted at /v1/account: profile, self-service feature
 * flags (never ADMIN), and its public keys with fingerprints.
 */
import { createRoute } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { AccountKeysSchema, AccountKeysUpdateSchema, AccountSchema, AccountUpdateSchema, EnableFeatureSchema } from '@dme/core/protocol';
import { requireAuth } from '../auth/middleware.js';
import type { HubDeps } from '../deps.js';
import type { HubEnv } from '../env.js';
import { HubError } from '../errors.js';
import { authErrorResponses, bearerSecurity, jsonBody, jsonResponse, newRouter } from '../openapi.js';
import { accountKeysView, accountView } from '../views/account.js';

const tags = ['account'];

/**
 * Asking for ADMIN is a permission problem (403), not a malformed body (400),
 * so it is answered before schema validation. Hono caches the parsed body for the validator.
 */
const refuseAdmin: MiddlewareHandler<HubEnv> = async (c, next) => {
  const body: unknown = await c.req.json().catch(() => null);
  if (typeof body === 'object' && body !== null && (body as { feature?: unknown }).feature === 'ADMIN') {
    throw new HubError('FORBIDDEN', 'ADMIN cannot be self-enabled; an administrator grants it');
  }
  await next();
};

const getProfile = createRoute({
  method: 'get',
  path: '/profile',
  tags,
  summary: 'The calling account',
  security: bearerSecurity,
  responses: { 200: jsonResponse(AccountSchema, 'The account'), ...authErrorResponses },
});

const putProfile = createRoute({
  method: 'put',
  path: '/profile',
  tags,
  summary: 'Update display name, organization, or public keys',
  security: bearerSecurity,
  request: { body: jsonBody(AccountUpdateSchema) },
  responses: { 200: jsonResponse(AccountSchema, 'The updated account'), ...authErrorResponses },
});

const enableFeature = createRoute({
  method: 'post',
  path: '/enable-feature',
  tags,
  summary: 'Enable DATA_PRODUCER or DATA_CONSUMER on the calling account',
  security: bearerSecurity,
  middleware: [refuseAdmin] as const,
  request: { body: jsonBody(EnableFeatureSchema) },
  responses: { 200: jsonResponse(AccountSchema, 'The account with the feature enabled'), ...authErrorResponses },
});

const putKeys = createRoute({
  method: 'put',
  path: '/keys',
  tags,
  summary: "Register or rotate the account's age recipient and Ed25519 signing key",
  security: bearerSecurity,
  request: { body: jsonBody(AccountKeysUpdateSchema) },
  responses: { 200: jsonResponse(AccountKeysSchema, 'The registered keys with fingerprints'), ...authErrorResponses },
});

const getKeys = createRoute({
  method: 'get',
  path: '/keys',
  tags,
  summary: "The account's public keys with fingerprints",
  security: bearerSecurity,
  responses: { 200: jsonResponse(AccountKeysSchema, 'Keys (null until registered)'), ...authErrorResponses },
});

export function accountRoutes(deps: HubDeps) {
  const router = newRouter();
  router.use('*', requireAuth(deps));
  const mustExist = <T>(x: T | null): T => {
    // The account was loaded by requireAuth a moment ago; missing now means it was deleted meanwhile.
    if (x === null) throw new HubError('UNAUTHENTICATED', 'account no longer exists');
    return x;
  };
  return router
    .openapi(getProfile, (c) => c.json(accountView(c.var.caller.account), 200))
    .openapi(putProfile, async (c) => {
      const body = c.req.valid('json');
      const updated = await deps.store.accounts.update(c.var.caller.accountId, body, deps.clock.now().toISOString());
      return c.json(accountView(mustExist(updated)), 200);
    })
    .openapi(enableFeature, async (c) => {
      const { feature } = c.req.valid('json');
      const updated = await deps.store.accounts.addFeature(c.var.caller.accountId, feature, deps.clock.now().toISOString());
      return c.json(accountView(mustExist(updated)), 200);
    })
    .openapi(putKeys, async (c) => {
      const body = c.req.valid('json');
      const updated = await deps.store.accounts.update(c.var.caller.accountId, body, deps.clock.now().toISOString());
      return c.json(accountKeysView(mustExist(updated)), 200);
    })
    .openapi(getKeys, (c) => c.json(accountKeysView(c.var.caller.account), 200));
}
