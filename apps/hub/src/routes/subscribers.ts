/**
 * @module routes/subscribers
 * The producer's side of subscriptions, mounted at /v1/producer: subscribers,
 * decisions (approve, reject, suspend, reinstate), history grants still owed
 * (pending grants) and their fulfilment, and the upload configuration.
 *
 * Approval writes the history grants the subscriber's tier allows when the
 * producer's client sends them; otherwise the subscription stays 'approved'
 * and its grants are listed as pending until POST /grants covers them, which
 * activates it. Suspension deletes the subscriber's grants (what was already
 * downloaded stays with the consumer). Another producer's subscription is 404.
 */
import { createRoute } from '@hono/zod-openapi';
import {
  DecisionResultSchema,
  GrantFulfilmentSchema,
  GrantsStoredSchema,
  PendingGrantListSchema,
  ProducerDecisionSchema,
  SubscriberListSchema,
  SubscribersQuerySchema,
  SubscriptionTransitionError,
  UploadConfigSchema,
  transition,
} from '@dme/core/protocol';
import type { PendingGrant, ProducerDecision, SubscriptionAction, UploadConfig } from '@dme/core/protocol';
import { recorder } from '../audit/recorder.js';
import { DEFAULT_URL_TTL_SEC } from '../blob/signing.js';
import type { HubDeps } from '../deps.js';
import { HubError } from '../errors.js';
import { consumerAccount, historyReleases, ownedRelease, ownedSubscription, windowStart } from '../exchange/access.js';
import { grantsPendingEvent, subscriptionEvent } from '../exchange/events.js';
import type { SubscriptionEventType } from '../exchange/events.js';
import { checkGrant, grantRecord, loadAccounts } from '../exchange/grants.js';
import { subscriptionView } from '../exchange/views.js';
import { authErrorResponses, bearerSecurity, conflictResponse, jsonBody, jsonResponse, newRouter, notFoundResponse } from '../openapi.js';
import type { NewEvent } from '../store/ledger.js';
import type { ActivationCheck, GrantRecord } from '../store/releases.js';
import type { SubscriptionRecord } from '../store/subscriptions.js';

const tags = ['producer'];

const listSubscribers = createRoute({
  method: 'get',
  path: '/subscribers',
  tags,
  summary: 'Subscribers of my datasets, with their age recipients',
  security: bearerSecurity,
  request: { query: SubscribersQuerySchema },
  responses: { 200: jsonResponse(SubscriberListSchema, 'Subscribers, newest first'), ...authErrorResponses },
});

function decisionRoute(action: 'approve' | 'reject' | 'suspend' | 'reinstate', summary: string) {
  return createRoute({
    method: 'post',
    path: `/${action}`,
    tags,
    summary,
    security: bearerSecurity,
    request: { body: jsonBody(ProducerDecisionSchema) },
    responses: { 200: jsonResponse(DecisionResultSchema, 'The subscription after the decision'), ...authErrorResponses, ...notFoundResponse, ...conflictResponse },
  });
}

const pendingGrants = createRoute({
  method: 'get',
  path: '/pending-grants',
  tags,
  summary: 'History grants owed to approved or active subscribers',
  security: bearerSecurity,
  responses: { 200: jsonResponse(PendingGrantListSchema, 'Grants to write'), ...authErrorResponses },
});

const putGrants = createRoute({
  method: 'post',
  path: '/grants',
  tags,
  summary: 'Fulfil pending grants; fully granted approved subscriptions become active',
  security: bearerSecurity,
  request: { body: jsonBody(GrantFulfilmentSchema) },
  responses: { 200: jsonResponse(GrantsStoredSchema, 'Stored'), ...authErrorResponses, ...notFoundResponse, ...conflictResponse },
});

const uploadConfig = createRoute({
  method: 'get',
  path: '/upload-config',
  tags,
  summary: 'How this hub takes payloads: blob store kind, part size, limits, bucket',
  security: bearerSecurity,
  responses: { 200: jsonResponse(UploadConfigSchema, 'Upload configuration'), ...authErrorResponses },
});

const EVENT_OF: Record<'approve' | 'reject' | 'suspend' | 'reinstate', SubscriptionEventType> = {
  approve: 'SUBSCRIPTION_APPROVED',
  reject: 'SUBSCRIPTION_REJECTED',
  suspend: 'SUBSCRIPTION_SUSPENDED',
  reinstate: 'SUBSCRIPTION_REINSTATED',
};

/** Largest payload the hub accepts (1 TiB), a sanity bound shared with the local store. */
const MAX_PAYLOAD_BYTES = 2 ** 40;

function nextStatus(s: SubscriptionRecord, action: SubscriptionAction) {
  try {
    return transition(s.status, action);
  } catch (err) {
    if (err instanceof SubscriptionTransitionError) throw new HubError('INVALID_STATE', err.message, { details: { status: s.status, action } });
    throw err;
  }
}

export function subscriberRoutes(deps: HubDeps) {
  const audit = recorder(deps.store, deps.clock);

  /** Validates history grants for one subscriber; returns records plus what stays owed after them. */
  async function historyGrants(s: SubscriptionRecord, grants: ProducerDecision['grants'], now: Date) {
    const consumer = await consumerAccount(deps, s);
    const history = await historyReleases(deps, s.datasetId, consumer.tier, now);
    const inHistory = new Set(history.map((r) => r.id));
    const records: GrantRecord[] = [];
    (grants ?? []).forEach((g, i) => {
      const path = ['grants', i];
      if (g.recipientAccountId !== s.consumerId) {
        throw new HubError('VALIDATION_FAILED', 'grants must be for the subscriber', { details: { issues: [{ path: [...path, 'recipientAccountId'], message: 'not the subscriber' }] } });
      }
      if (!inHistory.has(g.releaseId)) {
        throw new HubError('VALIDATION_FAILED', "release is not in the subscriber's history window", { details: { issues: [{ path: [...path, 'releaseId'], message: 'not a published release of this dataset within the window' }] } });
      }
      checkGrant(g, consumer, path);
      records.push(grantRecord(g.releaseId, g, now.toISOString()));
    });
    const since = windowStart(consumer.tier, now);
    const missing = await deps.store.releases.listMissingGrants(s.datasetId, s.consumerId, since);
    const provided = new Set(records.map((g) => g.releaseId));
    const owed = missing.filter((r) => !provided.has(r.id)).length;
    const check: ActivationCheck = { subscriptionId: s.id, consumerId: s.consumerId, releaseIds: history.map((r) => r.id) };
    return { records, owed, check };
  }

  function decide(action: 'approve' | 'reject' | 'suspend' | 'reinstate') {
    return async (producerId: string, body: ProducerDecision) => {
      const s = await ownedSubscription(deps, producerId, body.subscriptionId);
      const to = nextStatus(s, action);
      const now = deps.clock.now();
      const iso = now.toISOString();
      const withGrants = action === 'approve' || action === 'reinstate';
      if (!withGrants && body.grants?.length) throw new HubError('VALIDATION_FAILED', `grants are not accepted when you ${action}`);
      const h = withGrants ? await historyGrants(s, body.grants, now) : null;
      const events: NewEvent[] = [subscriptionEvent(EVENT_OF[action], s, to, iso, body.reason)];
      if (action === 'approve' && h!.owed === 0) events.push(subscriptionEvent('SUBSCRIPTION_ACTIVATED', s, 'active', iso));
      if (h && h.owed > 0) events.push(grantsPendingEvent(s, h.owed, iso));
      const updated = await audit.run(
        { actor: producerId, action: `subscription.${action}`, subject: s.id, details: { from: s.status, to, grants: h?.records.length ?? 0, ...(body.reason ? { reason: body.reason } : {}) } },
        (effects) =>
          deps.store.subscriptions.transition(
            {
              id: s.id,
              from: s.status,
              to,
              actor: producerId,
              now: iso,
              ...(body.reason ? { reason: body.reason } : {}),
              ...(h ? { grants: h.records } : {}),
              ...(action === 'approve' ? { activate: h!.check } : {}),
              revokeGrants: action === 'suspend',
            },
            effects,
          ),
        { events },
      );
      if (!updated) throw new HubError('INVALID_STATE', 'the subscription changed meanwhile; reload and retry');
      return { subscription: subscriptionView(updated), pendingGrants: h?.owed ?? 0 };
    };
  }

  const router = newRouter().openapi(listSubscribers, async (c) => {
    const { status } = c.req.valid('query');
    const subs = await deps.store.subscriptions.listByProducer(c.var.caller.accountId, status);
    const accounts = await loadAccounts((id) => deps.store.accounts.getById(id), subs.map((s) => s.consumerId));
    const items = subs.map((s) => {
      const a = accounts.get(s.consumerId);
      return {
        subscription: subscriptionView(s),
        consumer: {
          id: s.consumerId,
          displayName: a?.displayName ?? '(deleted account)',
          ...(a?.organization ? { organization: a.organization } : {}),
          ...(a?.ageRecipient ? { ageRecipient: a.ageRecipient } : {}),
        },
      };
    });
    return c.json({ items }, 200);
  });

  const approve = decide('approve');
  const reject = decide('reject');
  const suspend = decide('suspend');
  const reinstate = decide('reinstate');

  return router
    .openapi(decisionRoute('approve', 'Approve a pending subscription (optionally with its history grants)'), async (c) => c.json(await approve(c.var.caller.accountId, c.req.valid('json')), 200))
    .openapi(decisionRoute('reject', 'Reject a pending subscription'), async (c) => c.json(await reject(c.var.caller.accountId, c.req.valid('json')), 200))
    .openapi(decisionRoute('suspend', "Suspend an active subscription; its grants are deleted"), async (c) => c.json(await suspend(c.var.caller.accountId, c.req.valid('json')), 200))
    .openapi(decisionRoute('reinstate', 'Reinstate a suspended subscription (optionally with history grants)'), async (c) => c.json(await reinstate(c.var.caller.accountId, c.req.valid('json')), 200))
    .openapi(pendingGrants, async (c) => {
      const now = deps.clock.now();
      const subs = (await deps.store.subscriptions.listByProducer(c.var.caller.accountId)).filter((s) => s.status === 'approved' || s.status === 'active');
      const items: PendingGrant[] = [];
      for (const s of subs) {
        const consumer = await deps.store.accounts.getById(s.consumerId);
        if (!consumer?.ageRecipient) continue;
        for (const r of await deps.store.releases.listMissingGrants(s.datasetId, s.consumerId, windowStart(consumer.tier, now))) {
          items.push({ subscriptionId: s.id, datasetId: s.datasetId, releaseId: r.id, recipientAccountId: s.consumerId, recipient: consumer.ageRecipient, createdAt: r.publishedAt! });
        }
      }
      return c.json({ items }, 200);
    })
    .openapi(putGrants, async (c) => {
      const producerId = c.var.caller.accountId;
      const { grants } = c.req.valid('json');
      const now = deps.clock.now();
      const records: GrantRecord[] = [];
      const subs = new Map<string, SubscriptionRecord>();
      for (const [i, g] of grants.entries()) {
        const r = await ownedRelease(deps, producerId, g.releaseId);
        if (r.status !== 'published') throw new HubError('INVALID_STATE', `release ${r.id} is not published`);
        const s = await deps.store.subscriptions.findLive(g.recipientAccountId, r.datasetId);
        if (!s || (s.status !== 'approved' && s.status !== 'active')) {
          throw new HubError('INVALID_STATE', 'grants are only stored for approved or active subscribers', { details: { issues: [{ path: ['grants', i], message: 'no approved or active subscription' }] } });
        }
        const consumer = await consumerAccount(deps, s);
        const since = windowStart(consumer.tier, now);
        if (since !== null && r.publishedAt! < since) throw new HubError('TIER_LIMIT', "release is older than the subscriber's tier allows", { details: { releaseId: r.id } });
        checkGrant(g, consumer, ['grants', i]);
        records.push(grantRecord(r.id, g, now.toISOString()));
        subs.set(s.id, s);
      }
      const checks: ActivationCheck[] = [];
      const events: NewEvent[] = [];
      for (const s of subs.values()) {
        if (s.status !== 'approved') continue;
        const h = await historyGrants(s, [], now);
        checks.push(h.check);
        const provided = new Set(records.filter((g) => g.accountId === s.consumerId).map((g) => g.releaseId));
        const stillMissing = (await deps.store.releases.listMissingGrants(s.datasetId, s.consumerId, windowStart((await consumerAccount(deps, s)).tier, now))).filter((r) => !provided.has(r.id));
        if (stillMissing.length === 0) events.push(subscriptionEvent('SUBSCRIPTION_ACTIVATED', s, 'active', now.toISOString()));
      }
      const result = await audit.run(
        { actor: producerId, action: 'grants.put', subject: producerId, details: { grants: records.map((g) => ({ releaseId: g.releaseId, accountId: g.accountId })) } },
        (effects) => deps.store.releases.putGrants(records, checks, now.toISOString(), effects),
        { events },
      );
      return c.json({ stored: records.length, activated: result.activated }, 200);
    })
    .openapi(uploadConfig, async (c) => {
      // The BlobStore interface does not name its kind; the Node stores are told apart by their public members.
      const blobs = deps.blobs as unknown as { partSize?: unknown; bucketFor?: (key: string) => string; signer?: unknown };
      const s3 = typeof blobs.partSize === 'number' && typeof blobs.bucketFor === 'function';
      const config: UploadConfig = {
        blob: s3 ? 's3' : blobs.signer !== undefined ? 'local' : 'unconfigured',
        multipart: s3,
        partSize: s3 ? (blobs.partSize as number) : null,
        maxPayloadBytes: MAX_PAYLOAD_BYTES,
        bucket: s3 ? blobs.bucketFor!(`${c.var.caller.accountId}/x/y`) : null,
        urlTtlSeconds: DEFAULT_URL_TTL_SEC,
      };
      return c.json(config, 200);
    });
}
