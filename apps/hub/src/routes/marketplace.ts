/**
 * @module routes/marketplace
 * The public catalog, mounted at /v1/marketplace: no authentication, and only
 * PUBLISHED datasets (never drafts, archived or suspended ones) are visible;
 * anything else answers 404 as if it did not exist.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { IdSchema, ListingPageSchema, ListingSchema, MarketplaceQuerySchema, PricingSchema, ProviderListSchema, pricing } from '@dme/core/protocol';
import type { HubDeps } from '../deps.js';
import { HubError } from '../errors.js';
import { listingsOf } from '../exchange/listings.js';
import { errorResponses, jsonResponse, newRouter, notFoundResponse } from '../openapi.js';

const tags = ['marketplace'];

const datasets = createRoute({
  method: 'get',
  path: '/datasets',
  tags,
  summary: 'Published datasets: search `q`, filter by category or provider, paged',
  request: { query: MarketplaceQuerySchema },
  responses: { 200: jsonResponse(ListingPageSchema, 'A page of listings'), ...errorResponses },
});

const dataset = createRoute({
  method: 'get',
  path: '/dataset/{id}',
  tags,
  summary: 'One published dataset',
  request: { params: z.object({ id: IdSchema }) },
  responses: { 200: jsonResponse(ListingSchema, 'The listing'), ...errorResponses, ...notFoundResponse },
});

const providers = createRoute({
  method: 'get',
  path: '/providers',
  tags,
  summary: 'Providers with published datasets',
  responses: { 200: jsonResponse(ProviderListSchema, 'Providers'), ...errorResponses },
});

const pricingRoute = createRoute({
  method: 'get',
  path: '/pricing',
  tags,
  summary: 'Consumer tiers and their limits',
  responses: { 200: jsonResponse(PricingSchema, 'Tiers'), ...errorResponses },
});

export function marketplaceRoutes(deps: HubDeps) {
  return newRouter()
    .openapi(datasets, async (c) => {
      const q = c.req.valid('query');
      const rows = await deps.store.datasets.listPublic({
        ...(q.q ? { q: q.q } : {}),
        ...(q.category ? { category: q.category } : {}),
        ...(q.producerId ? { producerId: q.producerId } : {}),
        ...(q.cursor ? { afterId: q.cursor } : {}),
        limit: q.limit,
      });
      return c.json({ items: await listingsOf(deps, rows), nextCursor: rows.length === q.limit ? rows.at(-1)!.id : null }, 200);
    })
    .openapi(dataset, async (c) => {
      const { id } = c.req.valid('param');
      const d = await deps.store.datasets.get(id);
      if (!d || d.status !== 'PUBLISHED') throw new HubError('NOT_FOUND', 'no such dataset');
      const [listing] = await listingsOf(deps, [d]);
      return c.json(listing!, 200);
    })
    .openapi(providers, async (c) => {
      const rows = await deps.store.datasets.listProviders();
      const items = [];
      for (const p of rows) {
        const a = await deps.store.accounts.getById(p.id);
        items.push({
          id: p.id,
          displayName: p.displayName,
          ...(p.organization ? { organization: p.organization } : {}),
          ...(a?.signingPublicKey ? { signingPublicKey: a.signingPublicKey } : {}),
          datasetCount: p.datasetCount,
        });
      }
      return c.json({ items }, 200);
    })
    .openapi(pricingRoute, (c) => c.json(pricing(), 200));
}
