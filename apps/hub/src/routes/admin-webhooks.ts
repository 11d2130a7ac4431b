/**
 * @module routes/admin-webhooks
 * Webhook health for administrators, mounted at /v1/admin (auth + ADMIN, as
 * routes/admin): every account's webhook with failure counts, last success
 * and failure, and its newest deliveries; and re-enabling a webhook that the
 * delivery worker disabled after repeated failure (audited, actor = the
 * admin). The webhook secret never appears here.
 *
 * The bodies are declared here rather than in @dme/core/protocol because
 * only the admin page reads them; move them there if a client SDK needs them.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { IdSchema, PageQuerySchema, SafeUintSchema, TimestampSchema, WebhookAttemptSchema, WebhookConfigSchema, WebhookDeliveryStatusSchema, pageOf } from '@dme/core/protocol';
import { recorder } from '../audit/recorder.js';
import { requireAdmin, requireAuth } from '../auth/middleware.js';
import type { HubDeps } from '../deps.js';
import { HubError } from '../errors.js';
import { authErrorResponses, bearerSecurity, conflictResponse, jsonResponse, newRouter, notFoundResponse } from '../openapi.js';
import type { WebhookHealthRecord } from '../store/admin-webhooks.js';
import { webhookView } from '../webhooks/views.js';

/** The window of the failure and success counts. */
export const HEALTH_WINDOW_DAYS = 30;
/** Newest deliveries shown per webhook. */
export const RECENT_DELIVERIES = 5;

export const AdminWebhookQuerySchema = PageQuerySchema.extend({
  enabled: z.enum(['true', 'false']).optional(),
});

export const AdminWebhookSchema = WebhookConfigSchema.extend({
  accountId: IdSchema,
  accountEmail: z.string(),
  health: z.object({
    windowDays: SafeUintSchema,
    failedDeliveries: SafeUintSchema,
    succeededDeliveries: SafeUintSchema,
    pendingDeliveries: SafeUintSchema,
    lastSuccessAt: TimestampSchema.nullable(),
    lastFailureAt: TimestampSchema.nullable(),
  }),
  recentDeliveries: z.array(
    z.object({
      id: IdSchema,
      type: z.string(),
      status: WebhookDeliveryStatusSchema,
      attempts: SafeUintSchema,
      createdAt: TimestampSchema,
      updatedAt: TimestampSchema,
      lastAttempt: WebhookAttemptSchema.nullable(),
    }),
  ),
});
export type AdminWebhook = z.infer<typeof AdminWebhookSchema>;
export const AdminWebhookPageSchema = pageOf(AdminWebhookSchema);

const tags = ['admin'];

const list = createRoute({
  method: 'get',
  path: '/webhooks',
  tags,
  summary: `Webhooks by id with their health: failures and successes over ${HEALTH_WINDOW_DAYS} days, last success and failure, newest deliveries`,
  security: bearerSecurity,
  request: { query: AdminWebhookQuerySchema },
  responses: { 200: jsonResponse(AdminWebhookPageSchema, 'A page of webhooks'), ...authErrorResponses },
});

const enable = createRoute({
  method: 'post',
  path: '/webhooks/{id}/enable',
  tags,
  summary: 'Re-enable a disabled webhook: failure count cleared; it receives events from now on',
  security: bearerSecurity,
  request: { params: z.object({ id: IdSchema }) },
  responses: { 200: jsonResponse(AdminWebhookSchema.pick({ id: true, url: true, enabled: true, consecutiveFailures: true, disabledReason: true, createdAt: true, updatedAt: true, accountId: true }), 'The webhook after the change'), ...authErrorResponses, ...notFoundResponse, ...conflictResponse },
});

function adminWebhookView(h: WebhookHealthRecord): AdminWebhook {
  return {
    ...webhookView(h.webhook),
    accountId: h.webhook.accountId,
    accountEmail: h.accountEmail,
    health: {
      windowDays: HEALTH_WINDOW_DAYS,
      failedDeliveries: h.failedSince,
      succeededDeliveries: h.succeededSince,
      pendingDeliveries: h.pending,
      lastSuccessAt: h.lastSuccessAt,
      lastFailureAt: h.lastFailureAt,
    },
    recentDeliveries: h.recent.map((d) => ({ ...d, lastAttempt: d.lastAttempt ? { ...d.lastAttempt } : null })),
  };
}

export function adminWebhookRoutes(deps: HubDeps) {
  const audit = recorder(deps.store, deps.clock);
  const router = newRouter();
  router.use('*', requireAuth(deps), requireAdmin());

  return router
    .openapi(list, async (c) => {
      const q = c.req.valid('query');
      const since = new Date(deps.clock.now().getTime() - HEALTH_WINDOW_DAYS * 86_400_000).toISOString();
      const rows = await deps.store.adminWebhooks.listHealth({
        ...(q.enabled ? { enabled: q.enabled === 'true' } : {}),
        ...(q.cursor ? { afterId: q.cursor } : {}),
        limit: q.limit,
        since,
        recent: RECENT_DELIVERIES,
      });
      return c.json({ items: rows.map(adminWebhookView), nextCursor: rows.length === q.limit ? rows.at(-1)!.webhook.id : null }, 200);
    })
    .openapi(enable, async (c) => {
      const { id } = c.req.valid('param');
      const w = await deps.store.adminWebhooks.get(id);
      if (!w) throw new HubError('NOT_FOUND', 'no such webhook');
      if (w.enabled) throw new HubError('INVALID_STATE', 'the webhook is already enabled');
      const now = deps.clock.now().toISOString();
      const enabled = await audit.run(
        { actor: c.var.caller.accountId, action: 'admin.webhook.enable', subject: id, details: { accountId: w.accountId, disabledReason: w.disabledReason } },
        (effects) => deps.store.adminWebhooks.enable(id, now, effects),
      );
      if (!enabled) throw new HubError('INVALID_STATE', 'the webhook changed meanwhile; reload and retry');
      return c.json({ ...webhookView(enabled), accountId: enabled.accountId }, 200);
    });
}
