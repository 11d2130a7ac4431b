/**
 * @module routes/datasets
 * A producer's datasets, mounted at /v1/producer/datasets (area guard: auth,
 * producer scope, DATA_PRODUCER). New datasets start as DRAFT; PUT merges the
 * update into the stored dataset and re-validates the whole (the protocol's
 * cross-field invariants); archiving cancels live subscriptions and deletes
 * their grants. Another producer's dataset answers 404.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { DatasetCreateSchema, DatasetPageQuerySchema, DatasetPageSchema, DatasetSchema, DatasetUpdateSchema, IdSchema, validationDetails } from '@dme/core/protocol';
import type { Dataset, DatasetStatus } from '@dme/core/protocol';
import { recorder } from '../audit/recorder.js';
import type { HubDeps } from '../deps.js';
import { HubError } from '../errors.js';
import { ownedDataset } from '../exchange/access.js';
import { datasetView } from '../exchange/views.js';
import { authErrorResponses, bearerSecurity, conflictResponse, jsonBody, jsonResponse, newRouter, notFoundResponse } from '../openapi.js';
import type { DatasetChange, DatasetRecord } from '../store/datasets.js';
import { StoreConflictError } from '../store/types.js';

const tags = ['producer'];
const idParam = z.object({ id: IdSchema });

const create = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Register a dataset (starts as DRAFT)',
  security: bearerSecurity,
  request: { body: jsonBody(DatasetCreateSchema) },
  responses: { 201: jsonResponse(DatasetSchema, 'The new dataset'), ...authErrorResponses, ...conflictResponse },
});

const list = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'List my datasets',
  security: bearerSecurity,
  request: { query: DatasetPageQuerySchema },
  responses: { 200: jsonResponse(DatasetPageSchema, 'A page of datasets, oldest first'), ...authErrorResponses },
});

const update = createRoute({
  method: 'put',
  path: '/{id}',
  tags,
  summary: 'Update dataset metadata or status (DRAFT, PUBLISHED, ARCHIVED)',
  security: bearerSecurity,
  request: { params: idParam, body: jsonBody(DatasetUpdateSchema) },
  responses: { 200: jsonResponse(DatasetSchema, 'The updated dataset'), ...authErrorResponses, ...notFoundResponse, ...conflictResponse },
});

const archive = createRoute({
  method: 'post',
  path: '/{id}/archive',
  tags,
  summary: 'Archive a dataset: unlisted, live subscriptions cancelled, their grants deleted',
  security: bearerSecurity,
  request: { params: idParam },
  responses: { 200: jsonResponse(DatasetSchema, 'The archived dataset'), ...authErrorResponses, ...notFoundResponse, ...conflictResponse },
});

/** The columns the store keeps as such; everything else of the listing goes to `details`. */
function toChange(d: Dataset, publishedAt: string | null): DatasetChange {
  const { id: _id, producerId: _p, slug, name, description, category, status, createdAt: _c, updatedAt: _u, publishedAt: _pa, lastReleaseAt: _l, ...details } = d;
  return { slug, name, description, category, status, details, publishedAt };
}

function conflictToHub(err: unknown): never {
  if (err instanceof StoreConflictError) throw new HubError('CONFLICT', err.message);
  throw err;
}

export function datasetRoutes(deps: HubDeps) {
  const audit = recorder(deps.store, deps.clock);

  async function change(producerId: string, current: DatasetRecord, next: Dataset, action: string): Promise<DatasetRecord> {
    const now = deps.clock.now().toISOString();
    const publishedAt = current.publishedAt ?? (next.status === 'PUBLISHED' ? now : null);
    const fields = toChange(next, publishedAt);
    const updated = await audit
      .run({ actor: producerId, action, subject: current.id, details: { from: current.status, to: next.status } }, (effects) =>
        deps.store.datasets.update(current.id, producerId, current.status, fields, now, effects),
      )
      .catch(conflictToHub);
    if (!updated) throw new HubError('INVALID_STATE', 'the dataset changed meanwhile; reload and retry');
    return updated;
  }

  return newRouter()
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const caller = c.var.caller;
      const now = deps.clock.now().toISOString();
      const id = deps.ids.id('ds');
      const full = DatasetSchema.parse({ ...body, id, producerId: caller.accountId, status: 'DRAFT', createdAt: now, updatedAt: now });
      const record: DatasetRecord = { id, producerId: caller.accountId, ...toChange(full, null), lastReleaseId: null, lastReleaseAt: null, createdAt: now, updatedAt: now };
      const created = await audit
        .run({ actor: caller.accountId, action: 'dataset.create', subject: id, details: { slug: body.slug } }, (effects) => deps.store.datasets.create(record, effects))
        .catch(conflictToHub);
      return c.json(datasetView(created), 201);
    })
    .openapi(list, async (c) => {
      const { cursor, limit } = c.req.valid('query');
      const items = await deps.store.datasets.listByProducer(c.var.caller.accountId, { ...(cursor ? { afterId: cursor } : {}), limit });
      return c.json({ items: items.map(datasetView), nextCursor: items.length === limit ? items.at(-1)!.id : null }, 200);
    })
    .openapi(update, async (c) => {
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      const producerId = c.var.caller.accountId;
      const current = await ownedDataset(deps, producerId, id);
      if (current.status === 'SUSPENDED') throw new HubError('INVALID_STATE', 'this dataset is suspended by an administrator');
      const merged = DatasetSchema.safeParse({ ...datasetView(current), ...patch });
      if (!merged.success) throw new HubError('VALIDATION_FAILED', 'the updated dataset is invalid', { details: validationDetails(merged.error) });
      const action = patch.status === 'ARCHIVED' && current.status !== 'ARCHIVED' ? 'dataset.archive' : 'dataset.update';
      return c.json(datasetView(await change(producerId, current, merged.data, action)), 200);
    })
    .openapi(archive, async (c) => {
      const { id } = c.req.valid('param');
      const producerId = c.var.caller.accountId;
      const current = await ownedDataset(deps, producerId, id);
      if (current.status === 'ARCHIVED') throw new HubError('INVALID_STATE', 'the dataset is already archived');
      if (current.status === 'SUSPENDED') throw new HubError('INVALID_STATE', 'this dataset is suspended by an administrator');
      const next: Dataset = { ...datasetView(current), status: 'ARCHIVED' as DatasetStatus };
      return c.json(datasetView(await change(producerId, current, next, 'dataset.archive')), 200);
    });
}
