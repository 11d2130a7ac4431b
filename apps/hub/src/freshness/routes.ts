/**
 * @module freshness/routes
 * Public freshness of a listed dataset, mounted at /v1/freshness: the same
 * figures the catalog and marketplace listings carry, for a client that
 * needs only them. Same visibility as the marketplace: PUBLISHED
 * datasets only; anything else is 404, as for an unknown id.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { FreshnessSchema, IdSchema } from '@dme/core/protocol';
import type { HubDeps } from '../deps.js';
import { HubError } from '../errors.js';
import { errorResponses, jsonResponse, newRouter, notFoundResponse } from '../openapi.js';
import { freshnessOf } from './views.js';

const get = createRoute({
  method: 'get',
  path: '/{datasetId}',
  tags: ['marketplace'],
  summary: 'Freshness of a published dataset: state, expected-by, score, 30-day SLA compliance',
  request: { params: z.object({ datasetId: IdSchema }) },
  responses: { 200: jsonResponse(FreshnessSchema, 'Freshness'), ...errorResponses, ...notFoundResponse },
});

export function freshnessRoutes(deps: HubDeps) {
  return newRouter().openapi(get, async (c) => {
    const d = await deps.store.datasets.get(c.req.valid('param').datasetId);
    if (!d || d.status !== 'PUBLISHED') throw new HubError('NOT_FOUND', 'no such dataset');
    const [f] = await freshnessOf(deps, [d]);
    return c.json(f!, 200);
  });
}
