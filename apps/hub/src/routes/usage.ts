/**
 * @module routes/usage
 * The calling account's own usage records (uploads completed, download URLs
 * issued), mounted at /v1/usage. Nobody sees another account's usage here.
 */
import { createRoute } from '@hono/zod-openapi';
import { UsageListSchema, UsageQuerySchema } from '@dme/core/protocol';
import { requireAuth } from '../auth/middleware.js';
import type { HubDeps } from '../deps.js';
import { authErrorResponses, bearerSecurity, jsonResponse, newRouter } from '../openapi.js';

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['usage'],
  summary: 'My usage: uploads and downloads, newest first',
  security: bearerSecurity,
  request: { query: UsageQuerySchema },
  responses: { 200: jsonResponse(UsageListSchema, 'Usage records'), ...authErrorResponses },
});

export function usageRoutes(deps: HubDeps) {
  const router = newRouter();
  router.use('*', requireAuth(deps));
  return router.openapi(list, async (c) => {
    const { since, limit } = c.req.valid('query');
    const rows = await deps.store.usage.listByAccount(c.var.caller.accountId, { ...(since ? { since } : {}), limit });
    return c.json({ items: rows.map(({ id: _id, accountId: _a, ...u }) => u) }, 200);
  });
}
