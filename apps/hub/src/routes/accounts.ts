/**
 * @module routes/accounts
 * Other accounts' public keys, mounted at /v1/accounts. Any authenticated
 * caller may read them: producers encrypt for subscribers and consumers
 * verify producers' signatures. Public keys are not secrets; email, tier and
 * status are not exposed here.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { AccountKeysSchema, IdSchema } from '@dme/core/protocol';
import { requireAuth } from '../auth/middleware.js';
import type { HubDeps } from '../deps.js';
import { HubError } from '../errors.js';
import { authErrorResponses, bearerSecurity, jsonResponse, newRouter, notFoundResponse } from '../openapi.js';
import { accountKeysView } from '../views/account.js';

const getKeys = createRoute({
  method: 'get',
  path: '/{id}/keys',
  tags: ['account'],
  summary: "Another account's public keys with fingerprints",
  security: bearerSecurity,
  request: { params: z.object({ id: IdSchema }) },
  responses: { 200: jsonResponse(AccountKeysSchema, 'Keys (null until registered)'), ...authErrorResponses, ...notFoundResponse },
});

export function accountsRoutes(deps: HubDeps) {
  const router = newRouter();
  router.use('*', requireAuth(deps));
  return router.openapi(getKeys, async (c) => {
    const account = await deps.store.accounts.getById(c.req.valid('param').id);
    if (!account) throw new HubError('NOT_FOUND', 'no such account');
    return c.json(accountKeysView(account), 200);
  });
}
