/**
 * @module routes/admin-catalog
 * Datasets, subscriptions, usage and freshness for administrators, mounted
 * at /v1/admin (auth + ADMIN, as routes/admin). Lists are keyset paged by id.
 * An admin may suspend a listing (it leaves the catalog; subscriptions stay),
 * lift the suspension, or archive it (live subscriptions are cancelled and
 * their grants deleted, as when the producer archives).
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  AdminDatasetPageSchema,
  AdminDatasetQuerySchema,
  AdminDatasetSchema,
  AdminDatasetStatusChangeSchema,
  AdminSubscriptionPageSchema,
  AdminSubscriptionQuerySchema,
  AdminUsageQuerySchema,
  AdminUsageSchema,
  FreshnessPageSchema,
  FreshnessSchema,
  IdSchema,
  PageQuerySchema,
} from '@dme/core/protocol';
import type { DatasetStatus } from '@dme/core/protocol';
import { recorder } from '../audit/recorder.js';
import { requireAdmin, requireAuth } from '../auth/middleware.js';
import type { HubDeps } from '../deps.js';
import { HubError } from '../errors.js';
import { subscriptionView } from '../exchange/views.js';
import { freshnessOf } from '../freshness/views.js';
import { authErrorResponses, bearerSecurity, conflictResponse, jsonBody, jsonResponse, newRouter, notFoundResponse } from '../openapi.js';
import type { DatasetRecord } from '../store/datasets.js';

const tags = ['admin'];
const params = z.object({ id: IdSchema });

/** Which listing states an admin may move from, per target. */
const ADMIN_MOVES: Record<'SUSPENDED' | 'ARCHIVED' | 'PUBLISHED', readonly DatasetStatus[]> = {
  SUSPENDED: ['PUBLISHED', 'DRAFT'],
  ARCHIVED: ['PUBLISHED', 'DRAFT', 'SUSPENDED'],
  PUBLISHED: ['SUSPENDED'],
};

const datasets = createRoute({
  method: 'get',
  path: '/datasets',
  tags,
  summary: 'All datasets (any status) with their freshness',
  security: bearerSecurity,
  request: { query: AdminDatasetQuerySchema },
  responses: { 200: jsonResponse(AdminDatasetPageSchema, 'A page of datasets'), ...authErrorResponses },
});

const datasetStatus = createRoute({
  method: 'put',
  path: '/datasets/{id}/status',
  tags,
  summary: 'Suspend, reinstate (PUBLISHED) or archive a listing',
  security: bearerSecurity,
  request: { params, body: jsonBody(AdminDatasetStatusChangeSchema) },
  responses: { 200: jsonResponse(AdminDatasetSchema, 'The dataset after the change'), ...authErrorResponses, ...notFoundResponse, ...conflictResponse },
});

const subscriptions = createRoute({
  method: 'get',
  path: '/subscriptions',
  tags,
  summary: 'All subscriptions, optionally of one state',
  security: bearerSecurity,
  request: { query: AdminSubscriptionQuerySchema },
  responses: { 200: jsonResponse(AdminSubscriptionPageSchema, 'A page of subscriptions'), ...authErrorResponses },
});

const usage = createRoute({
  method: 'get',
  path: '/usage',
  tags,
  summary: 'Uploads and downloads (count, bytes) per account, dataset and month',
  security: bearerSecurity,
  request: { query: AdminUsageQuerySchema },
  responses: { 200: jsonResponse(AdminUsageSchema, 'Totals, newest month first'), ...authErrorResponses },
});

const freshnessList = createRoute({
  method: 'get',
  path: '/freshness',
  tags,
  summary: 'Freshness of every published dataset',
  security: bearerSecurity,
  request: { query: PageQuerySchema },
  responses: { 200: jsonResponse(FreshnessPageSchema, 'A page of freshness figures'), ...authErrorResponses },
});

const freshnessOne = createRoute({
  method: 'get',
  path: '/freshness/{id}',
  tags,
  summary: 'Freshness of one dataset (any status)',
  security: bearerSecurity,
  request: { params },
  responses: { 200: jsonResponse(FreshnessSchema, 'Freshness'), ...authErrorResponses, ...notFoundResponse },
});

async function adminDatasets(deps: HubDeps, rows: readonly DatasetRecord[]) {
  const f = await freshnessOf(deps, rows);
  return rows.map((d, i) => ({
    id: d.id,
    producerId: d.producerId,
    slug: d.slug,
    name: d.name,
    status: d.status,
    createdAt: d.createdAt,
    publishedAt: d.publishedAt,
    freshness: f[i]!,
  }));
}

export function adminCatalogRoutes(deps: HubDeps) {
  const audit = recorder(deps.store, deps.clock);
  const router = newRouter();
  router.use('*', requireAuth(deps), requireAdmin());

  return router
    .openapi(datasets, async (c) => {
      const q = c.req.valid('query');
      const rows = await deps.store.admin.listDatasets({ ...(q.status ? { status: q.status } : {}), ...(q.cursor ? { afterId: q.cursor } : {}), limit: q.limit });
      return c.json({ items: await adminDatasets(deps, rows), nextCursor: rows.length === q.limit ? rows.at(-1)!.id : null }, 200);
    })
    .openapi(datasetStatus, async (c) => {
      const { id } = c.req.valid('param');
      const { status: to, reason } = c.req.valid('json');
      const d = await deps.store.datasets.get(id);
      if (!d) throw new HubError('NOT_FOUND', 'no such dataset');
      if (!ADMIN_MOVES[to].includes(d.status)) throw new HubError('INVALID_STATE', `a ${d.status} dataset cannot be moved to ${to}`, { details: { from: d.status, to } });
      const now = deps.clock.now().toISOString();
      const updated = await audit.run(
        { actor: c.var.caller.accountId, action: 'admin.dataset.status', subject: id, details: { from: d.status, to, ...(reason ? { reason } : {}) } },
        (effects) => deps.store.admin.setDatasetStatus(id, d.status, to, now, effects),
      );
      if (!updated) throw new HubError('INVALID_STATE', 'the dataset changed meanwhile; reload and retry');
      const [view] = await adminDatasets(deps, [updated]);
      return c.json(view!, 200);
    })
    .openapi(subscriptions, async (c) => {
      const q = c.req.valid('query');
      const rows = await deps.store.admin.listSubscriptions({ ...(q.status ? { status: q.status } : {}), ...(q.cursor ? { afterId: q.cursor } : {}), limit: q.limit });
      return c.json({ items: rows.map(subscriptionView), nextCursor: rows.length === q.limit ? rows.at(-1)!.id : null }, 200);
    })
    .openapi(usage, async (c) => {
      const q = c.req.valid('query');
      const items = await deps.store.admin.usageTotals({
        ...(q.accountId ? { accountId: q.accountId } : {}),
        ...(q.datasetId ? { datasetId: q.datasetId } : {}),
        ...(q.month ? { month: q.month } : {}),
        limit: q.limit,
      });
      return c.json({ items }, 200);
    })
    .openapi(freshnessList, async (c) => {
      const q = c.req.valid('query');
      const rows = await deps.store.admin.listDatasets({ status: 'PUBLISHED', ...(q.cursor ? { afterId: q.cursor } : {}), limit: q.limit });
      return c.json({ items: await freshnessOf(deps, rows), nextCursor: rows.length === q.limit ? rows.at(-1)!.id : null }, 200);
    })
    .openapi(freshnessOne, async (c) => {
      const d = await deps.store.datasets.get(c.req.valid('param').id);
      if (!d) throw new HubError('NOT_FOUND', 'no such dataset');
      const [f] = await freshnessOf(deps, [d]);
      return c.json(f!, 200);
    });
}
