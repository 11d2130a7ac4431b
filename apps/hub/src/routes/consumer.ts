/**
 * @module routes/consumer
 * The consumer's side, mounted at /v1/consumer (area guard: auth, consumer
 * scope, DATA_CONSUMER): catalog, subscribe, unsubscribe, subscriptions,
 * releases of a subscribed dataset, and download.
 *
 * Access to data needs an ACTIVE subscription, a release inside the tier's
 * history window and a grant for the caller: a download answer is the
 * caller's grant, the signed manifest and a short-lived payload URL. Unknown
 * or unpublished ids and other consumers' subscriptions answer 404; a known
 * dataset without an active subscription answers 403.
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  CatalogPageSchema,
  CatalogQuerySchema,
  DownloadSchema,
  IdSchema,
  PublishedReleaseListSchema,
  SubscriptionListSchema,
  SubscriptionRequestSchema,
  SubscriptionSchema,
  SubscriptionTransitionError,
  tierLimits,
  transition,
} from '@dme/core/protocol';
import type { Download } from '@dme/core/protocol';
import type { TypedResponse } from 'hono';
import { recorder } from '../audit/recorder.js';
import { DEFAULT_URL_TTL_SEC } from '../blob/signing.js';
import type { HubDeps } from '../deps.js';
import type { Caller } from '../env.js';
import { HubError } from '../errors.js';
import { HISTORY_LIMIT, inWindow, windowStart } from '../exchange/access.js';
import { blobCall } from '../exchange/blob-errors.js';
import { downloadBodies } from '../exchange/download-body.js';
import { subscriptionEvent } from '../exchange/events.js';
import { listingsOf } from '../exchange/listings.js';
import { respondWithLimits } from '../limits/respond.js';
import { publishedView, subscriptionView } from '../exchange/views.js';
import { authErrorResponses, bearerSecurity, conflictResponse, jsonBody, jsonResponse, newRouter, notFoundResponse } from '../openapi.js';
import type { DatasetRecord } from '../store/datasets.js';
import type { SubscriptionRecord, SubscriptionStatus } from '../store/subscriptions.js';

const tags = ['consumer'];

const catalog = createRoute({
  method: 'get',
  path: '/catalog',
  tags,
  summary: 'Published datasets with my subscription state',
  security: bearerSecurity,
  request: { query: CatalogQuerySchema },
  responses: { 200: jsonResponse(CatalogPageSchema, 'A page of the catalog'), ...authErrorResponses },
});

const subscribe = createRoute({
  method: 'post',
  path: '/subscribe',
  tags,
  summary: 'Ask to subscribe to a dataset (the producer approves)',
  security: bearerSecurity,
  request: { body: jsonBody(SubscriptionRequestSchema) },
  responses: { 201: jsonResponse(SubscriptionSchema, 'The pending subscription'), ...authErrorResponses, ...notFoundResponse, ...conflictResponse },
});

const unsubscribe = createRoute({
  method: 'delete',
  path: '/unsubscribe/{subscriptionId}',
  tags,
  summary: 'Cancel my subscription; my grants are deleted (downloaded data stays mine)',
  security: bearerSecurity,
  request: { params: z.object({ subscriptionId: IdSchema }) },
  responses: { 200: jsonResponse(SubscriptionSchema, 'The cancelled subscription'), ...authErrorResponses, ...notFoundResponse, ...conflictResponse },
});

const subscriptions = createRoute({
  method: 'get',
  path: '/subscriptions',
  tags,
  summary: 'My subscriptions, newest first',
  security: bearerSecurity,
  responses: { 200: jsonResponse(SubscriptionListSchema, 'Subscriptions'), ...authErrorResponses },
});

const releases = createRoute({
  method: 'get',
  path: '/datasets/{id}/releases',
  tags,
  summary: "Published releases of a dataset I actively subscribe to, within my tier's history",
  security: bearerSecurity,
  request: { params: z.object({ id: IdSchema }) },
  responses: { 200: jsonResponse(PublishedReleaseListSchema, 'Releases, newest first'), ...authErrorResponses, ...notFoundResponse },
});

const download = createRoute({
  method: 'get',
  path: '/download/{releaseId}',
  tags,
  summary: 'My key grant, the signed manifest and a short-lived payload URL',
  security: bearerSecurity,
  request: { params: z.object({ releaseId: IdSchema }) },
  responses: { 200: jsonResponse(DownloadSchema, 'What is needed to fetch, verify and decrypt'), ...authErrorResponses, ...notFoundResponse, ...conflictResponse },
});

/** Datasets a consumer can see: published ones, and any it holds a live subscription to. */
async function visibleDataset(deps: HubDeps, id: string): Promise<DatasetRecord> {
  const d = await deps.store.datasets.get(id);
  if (!d || d.status === 'DRAFT') throw new HubError('NOT_FOUND', 'no such dataset');
  return d;
}

function notActive(status: SubscriptionStatus | null): HubError {
  return new HubError('FORBIDDEN', status ? `your subscription is ${status}, not active` : 'you are not subscribed to this dataset', {
    details: { subscription: status },
  });
}

async function activeSubscription(deps: HubDeps, caller: Caller, datasetId: string): Promise<SubscriptionRecord> {
  const s = await deps.store.subscriptions.findLive(caller.accountId, datasetId);
  if (!s || s.status !== 'active') throw notActive(s?.status ?? null);
  return s;
}

export function consumerRoutes(deps: HubDeps) {
  const audit = recorder(deps.store, deps.clock);
  const downloadBody = downloadBodies();

  return newRouter()
    .openapi(catalog, async (c) => {
      const q = c.req.valid('query');
      const rows = await deps.store.datasets.listPublic({ ...(q.q ? { q: q.q } : {}), ...(q.cursor ? { afterId: q.cursor } : {}), limit: q.limit });
      const listings = await listingsOf(deps, rows);
      const items = [];
      for (const l of listings) {
        const s = await deps.store.subscriptions.findLive(c.var.caller.accountId, l.dataset.id);
        items.push({ ...l, subscription: s ? { id: s.id, status: s.status } : null });
      }
      return c.json({ items, nextCursor: rows.length === q.limit ? rows.at(-1)!.id : null }, 200);
    })
    .openapi(subscribe, async (c) => {
      const body = c.req.valid('json');
      const caller = c.var.caller;
      const d = await deps.store.datasets.get(body.datasetId);
      if (!d || d.status !== 'PUBLISHED') throw new HubError('NOT_FOUND', 'no such dataset');
      if (d.producerId === caller.accountId) throw new HubError('INVALID_STATE', 'you publish this dataset; there is nothing to subscribe to');
      if (!caller.account.ageRecipient) throw new HubError('INVALID_STATE', 'register your age recipient (PUT /v1/account/keys) before subscribing, so grants can be written for you');
      const now = deps.clock.now().toISOString();
      const record: SubscriptionRecord = {
        id: deps.ids.id('sub'),
        datasetId: d.id,
        consumerId: caller.accountId,
        producerId: d.producerId,
        status: 'pending',
        decidedBy: null,
        approvedBy: null,
        message: body.message ?? null,
        reason: null,
        createdAt: now,
        updatedAt: now,
      };
      const limit = tierLimits(caller.tier).maxSubscriptions;
      const result = await audit.run(
        { actor: caller.accountId, action: 'subscription.request', subject: record.id, details: { datasetId: d.id } },
        (effects) => deps.store.subscriptions.create(record, limit, effects),
        { events: [subscriptionEvent('SUBSCRIPTION_REQUESTED', record, 'pending', now)] },
      );
      if (result.kind === 'duplicate') throw new HubError('CONFLICT', `you already have a ${result.existing.status} subscription to this dataset`, { details: { subscriptionId: result.existing.id } });
      if (result.kind === 'limit') throw new HubError('TIER_LIMIT', `the ${caller.tier} tier allows ${limit} live subscription(s)`, { details: { tier: caller.tier, maxSubscriptions: limit } });
      return c.json(subscriptionView(result.subscription), 201);
    })
    .openapi(unsubscribe, async (c) => {
      const { subscriptionId } = c.req.valid('param');
      const caller = c.var.caller;
      const s = await deps.store.subscriptions.get(subscriptionId);
      if (!s || s.consumerId !== caller.accountId) throw new HubError('NOT_FOUND', 'no such subscription');
      let to;
      try {
        to = transition(s.status, 'cancel');
      } catch (err) {
        if (err instanceof SubscriptionTransitionError) throw new HubError('INVALID_STATE', err.message);
        throw err;
      }
      const now = deps.clock.now().toISOString();
      const updated = await audit.run(
        { actor: caller.accountId, action: 'subscription.cancel', subject: s.id, details: { from: s.status } },
        (effects) => deps.store.subscriptions.transition({ id: s.id, from: s.status, to, actor: caller.accountId, now, revokeGrants: true }, effects),
        { events: [subscriptionEvent('SUBSCRIPTION_CANCELLED', s, to, now)] },
      );
      if (!updated) throw new HubError('INVALID_STATE', 'the subscription changed meanwhile; reload and retry');
      return c.json(subscriptionView(updated), 200);
    })
    .openapi(subscriptions, async (c) => {
      const subs = await deps.store.subscriptions.listByConsumer(c.var.caller.accountId);
      return c.json({ items: subs.map(subscriptionView) }, 200);
    })
    .openapi(releases, async (c) => {
      const { id } = c.req.valid('param');
      const caller = c.var.caller;
      const d = await visibleDataset(deps, id);
      await activeSubscription(deps, caller, d.id);
      const since = windowStart(caller.tier, deps.clock.now());
      const items = await deps.store.releases.listByDataset(d.id, { status: 'published', ...(since ? { since } : {}), limit: HISTORY_LIMIT });
      return c.json({ items: items.map(publishedView) }, 200);
    })
    .openapi(download, async (c) => {
      const { releaseId } = c.req.valid('param');
      // c.get, not c.var (a copy of every variable, the limiter's included) on the hottest route.
      const caller = c.get('caller');
      // One read for release, subscription and grant; the checks keep their order (404, 403, window, grant).
      const access = await deps.store.releases.downloadAccess(releaseId, caller.accountId);
      if (!access || access.release.status !== 'published') throw new HubError('NOT_FOUND', 'no such release');
      const { release: r, grant } = access;
      if (access.subscription !== 'active') throw notActive(access.subscription);
      const now = deps.clock.now();
      if (!inWindow(r, windowStart(caller.tier, now))) {
        throw new HubError('TIER_LIMIT', `this release is older than the ${caller.tier} tier's history window`, { details: { tier: caller.tier } });
      }
      if (!grant) throw new HubError('INVALID_STATE', "the producer has not written your key grant for this release yet; it is pending");
      const { url, expiresAt } = await blobCall(() => deps.blobs.downloadUrl(r.blobKey, { expiresInSec: DEFAULT_URL_TTL_SEC }));
      await deps.store.usage.record({
        accountId: caller.accountId,
        kind: 'download',
        datasetId: r.datasetId,
        releaseId: r.id,
        bytes: r.payloadSize,
        sha256: r.payloadSha256 ?? '',
        createdAt: now.toISOString(),
      });
      // The bytes c.json({ release, manifest, grant, url, expiresAt }, 200) would send, mostly from a
      // per-release memo (exchange/download-body.ts), with the RateLimit fields built in (the hottest
      // limited route); the cast only restores the route's typed answer.
      const full = async () => (await deps.store.releases.get(r.id)) ?? Promise.reject(new Error(`release ${r.id} vanished`));
      const body = await downloadBody(r, full, grant, url, expiresAt);
      return respondWithLimits(c, body, 200, 'application/json') as unknown as TypedResponse<Download, 200, 'json'>;
    });
}
