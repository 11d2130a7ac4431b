/**
 * @module routes/keys
 * API keys of the calling account, mounted at /v1/auth/api-keys. Creating and
 * revoking need a login session: a leaked key must not be able to mint
 * itself successors or revoke its owner's other keys. Listing never shows a
 * secret; the key itself appears once, in the 201 response.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ApiKeyCreatedSchema, ApiKeyCreateSchema, ApiKeyListSchema, IdSchema } from '@dme/core/protocol';
import { requireAuth, requireSession } from '../auth/middleware.js';
import { mintApiKey } from '../auth/tokens.js';
import type { HubDeps } from '../deps.js';
import { HubError } from '../errors.js';
import { authErrorResponses, bearerSecurity, jsonBody, jsonResponse, newRouter, notFoundResponse } from '../openapi.js';

const tags = ['api keys'];

const create = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Create an API key (the key is shown once)',
  security: bearerSecurity,
  middleware: [requireSession()] as const,
  request: { body: jsonBody(ApiKeyCreateSchema) },
  responses: { 201: jsonResponse(ApiKeyCreatedSchema, 'The new key, with its secret'), ...authErrorResponses },
});

const list = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'List the live API keys of the account (no secrets)',
  security: bearerSecurity,
  responses: { 200: jsonResponse(ApiKeyListSchema, 'Keys, newest first'), ...authErrorResponses },
});

const revoke = createRoute({
  method: 'delete',
  path: '/{id}',
  tags,
  summary: 'Revoke an API key',
  security: bearerSecurity,
  middleware: [requireSession()] as const,
  request: { params: z.object({ id: IdSchema }) },
  responses: { 204: { description: 'Revoked' }, ...authErrorResponses, ...notFoundResponse },
});

export function keyRoutes(deps: HubDeps) {
  const router = newRouter();
  router.use('*', requireAuth(deps));
  return router
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const now = deps.clock.now();
      if (body.expiresAt !== undefined && Date.parse(body.expiresAt) <= now.getTime()) {
        throw new HubError('VALIDATION_FAILED', 'expiresAt must be in the future', {
          details: { issues: [{ path: ['expiresAt'], message: 'must be in the future' }] },
        });
      }
      const id = deps.ids.id('key');
      const { key, secretHash } = await mintApiKey(id);
      const record = await deps.store.apiKeys.create({
        id,
        accountId: c.var.caller.accountId,
        name: body.name,
        scopes: body.scopes,
        createdAt: now.toISOString(),
        expiresAt: body.expiresAt ?? null,
        lastUsedAt: null,
        secretHash,
      });
      const { accountId: _owner, ...view } = record;
      return c.json({ ...view, key }, 201);
    })
    .openapi(list, async (c) => {
      const keys = await deps.store.apiKeys.listByAccount(c.var.caller.accountId);
      return c.json({ items: keys.map(({ accountId: _owner, ...view }) => view) }, 200);
    })
    .openapi(revoke, async (c) => {
      const { id } = c.req.valid('param');
      const done = await deps.store.apiKeys.revoke(c.var.caller.accountId, id, deps.clock.now().toISOString());
      // Someone else's key id answers 404 too, so ids of other accounts are not confirmed.
      if (!done) throw new HubError('NOT_FOUND', 'no such API key');
      return c.body(null, 204);
    });
}
