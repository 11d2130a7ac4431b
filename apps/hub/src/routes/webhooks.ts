/**
 * @module routes/webhooks
 * The consumer's webhook, mounted at /v1/consumer/webhook (behind the
 * consumer area guard): PUT sets URL and enabled state (and returns a newly
 * generated `whsec_` secret, the only time it is shown), GET shows the
 * configuration, POST /test queues a signed ping, GET /deliveries is the
 * attempt log, POST /deliveries/{id}/redeliver re-sends a delivery.
 * Needs a tier with webhooks (Professional and up): else 403 TIER_LIMIT.
 * Target URLs pass the SSRF guard (webhooks/ssrf.ts) unless the hub runs in
 * development mode. Sending is the delivery worker's job: test pings and
 * redeliveries are queued and the worker is woken after the request commits.
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  IdSchema,
  WebhookConfigSchema,
  WebhookDeliveryListSchema,
  WebhookDeliveryQuerySchema,
  WebhookDeliverySchema,
  WebhookPutResultSchema,
  WebhookPutSchema,
  tierLimits,
} from '@dme/core/protocol';
import type { HubDeps } from '../deps.js';
import type { Caller } from '../env.js';
import { HubError } from '../errors.js';
import { authErrorResponses, bearerSecurity, jsonBody, jsonResponse, newRouter, notFoundResponse, conflictResponse } from '../openapi.js';
import type { WebhookRecord } from '../store/deliveries.js';
import { generateWebhookSecret } from '../webhooks/signing.js';
import { WebhookTargetError, checkWebhookTarget } from '../webhooks/ssrf.js';
import { deliveryView, webhookView } from '../webhooks/views.js';

const tags = ['webhooks'];

const put = createRoute({
  method: 'put',
  path: '/',
  tags,
  summary: 'Set my webhook (URL, enabled); a generated secret is returned once',
  security: bearerSecurity,
  request: { body: jsonBody(WebhookPutSchema) },
  responses: { 200: jsonResponse(WebhookPutResultSchema, 'The webhook, and its secret if one was generated'), ...authErrorResponses },
});

const show = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'My webhook (without its secret)',
  security: bearerSecurity,
  responses: { 200: jsonResponse(WebhookConfigSchema, 'The webhook'), ...authErrorResponses, ...notFoundResponse },
});

const test = createRoute({
  method: 'post',
  path: '/test',
  tags,
  summary: 'Queue a signed test ping (type PING) to my webhook',
  security: bearerSecurity,
  responses: { 202: jsonResponse(WebhookDeliverySchema, 'The queued ping; its attempts appear in the delivery log'), ...authErrorResponses, ...notFoundResponse, ...conflictResponse },
});

const deliveries = createRoute({
  method: 'get',
  path: '/deliveries',
  tags,
  summary: 'Delivery log: deliveries newest first, each with every attempt (time, status, latency, response code, error)',
  security: bearerSecurity,
  request: { query: WebhookDeliveryQuerySchema },
  responses: { 200: jsonResponse(WebhookDeliveryListSchema, 'Deliveries'), ...authErrorResponses, ...notFoundResponse },
});

const redeliver = createRoute({
  method: 'post',
  path: '/deliveries/{id}/redeliver',
  tags,
  summary: 'Send a delivery again (same webhook-id, new signature)',
  security: bearerSecurity,
  request: { params: z.object({ id: IdSchema }) },
  responses: { 202: jsonResponse(WebhookDeliverySchema, 'The new delivery'), ...authErrorResponses, ...notFoundResponse, ...conflictResponse },
});

function requireWebhookTier(caller: Caller): void {
  if (!tierLimits(caller.tier).webhooks) {
    throw new HubError('TIER_LIMIT', `the ${caller.tier} tier has no webhooks; Professional and above do`, { details: { tier: caller.tier, feature: 'webhooks' } });
  }
}

export function webhookRoutes(deps: HubDeps) {
  const mine = async (caller: Caller): Promise<WebhookRecord> => {
    requireWebhookTier(caller);
    const w = await deps.store.webhooks.getByAccount(caller.accountId);
    if (!w) throw new HubError('NOT_FOUND', 'no webhook configured; PUT /v1/consumer/webhook first');
    return w;
  };
  const enabled = (w: WebhookRecord) => {
    if (!w.enabled) throw new HubError('INVALID_STATE', 'the webhook is disabled; enable it with PUT first', { details: { disabledReason: w.disabledReason } });
  };
  const queue = async (w: WebhookRecord, d: { messageId: string; eventId: number | null; type: string; body: string; redeliveryOf: string | null }) => {
    const now = deps.clock.now().toISOString();
    const id = deps.ids.id('whd');
    await deps.store.webhooks.enqueue({ id, webhookId: w.id, ...d, nextAttemptAt: now, createdAt: now });
    return deliveryView((await deps.store.webhooks.getDelivery(w.id, id))!, []);
  };

  return newRouter()
    .openapi(put, async (c) => {
      const caller = c.var.caller;
      requireWebhookTier(caller);
      const body = c.req.valid('json');
      try {
        checkWebhookTarget(body.url, deps.config.devMode);
      } catch (err) {
        if (err instanceof WebhookTargetError) throw new HubError('VALIDATION_FAILED', err.message, { details: { field: 'url', reason: err.code } });
        throw err;
      }
      const existing = await deps.store.webhooks.getByAccount(caller.accountId);
      const secret = !existing || body.rotateSecret ? generateWebhookSecret() : undefined;
      const w = await deps.store.webhooks.upsert({
        id: deps.ids.id('whk'),
        accountId: caller.accountId,
        url: body.url,
        enabled: body.enabled,
        ...(secret ? { secret } : {}),
        now: deps.clock.now().toISOString(),
      });
      return c.json({ webhook: webhookView(w), secret: secret ?? null }, 200);
    })
    .openapi(show, async (c) => c.json(webhookView(await mine(c.var.caller)), 200))
    .openapi(test, async (c) => {
      const w = await mine(c.var.caller);
      enabled(w);
      const messageId = deps.ids.id('ping');
      const body = JSON.stringify({ id: messageId, type: 'PING', createdAt: deps.clock.now().toISOString(), data: { webhookId: w.id } });
      return c.json(await queue(w, { messageId, eventId: null, type: 'PING', body, redeliveryOf: null }), 202);
    })
    .openapi(deliveries, async (c) => {
      const w = await mine(c.var.caller);
      const items = await deps.store.webhooks.listDeliveries(w.id, c.req.valid('query').limit);
      return c.json({ items: items.map((d) => deliveryView(d, d.log)) }, 200);
    })
    .openapi(redeliver, async (c) => {
      const w = await mine(c.var.caller);
      enabled(w);
      const original = await deps.store.webhooks.getDelivery(w.id, c.req.valid('param').id);
      if (!original) throw new HubError('NOT_FOUND', 'no such delivery of my webhook');
      return c.json(
        await queue(w, { messageId: original.messageId, eventId: original.eventId, type: original.type, body: original.body, redeliveryOf: original.id }),
        202,
      );
    });
}
