/**
 * @module routes/audit
 * The audit log for administrators, mounted at /v1/admin/audit (area guard:
 * auth + ADMIN): read entries in order, and verify the whole hash chain.
 */
import { createRoute } from '@hono/zod-openapi';
import { AuditPageSchema, AuditQuerySchema, AuditVerdictSchema } from '@dme/core/protocol';
import { verifyAuditChain } from '../audit/chain.js';
import type { HubDeps } from '../deps.js';
import { authErrorResponses, bearerSecurity, jsonResponse, newRouter } from '../openapi.js';

const tags = ['admin'];

const list = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'Audit entries after `after`, in chain order',
  security: bearerSecurity,
  request: { query: AuditQuerySchema },
  responses: { 200: jsonResponse(AuditPageSchema, 'Entries'), ...authErrorResponses },
});

const verify = createRoute({
  method: 'get',
  path: '/verify',
  tags,
  summary: 'Verify the hash chain; reports the first broken link',
  security: bearerSecurity,
  responses: { 200: jsonResponse(AuditVerdictSchema, 'The verdict'), ...authErrorResponses },
});

export function auditRoutes(deps: HubDeps) {
  return newRouter()
    .openapi(list, async (c) => {
      const { after, limit } = c.req.valid('query');
      return c.json({ items: await deps.store.audit.list(after, limit) }, 200);
    })
    .openapi(verify, async (c) => c.json(await verifyAuditChain(deps.store), 200));
}
