/**
 * @module routes/admin
 * Accounts for administrators, mounted at /v1/admin (area guard in createApp
 * plus this router's own: auth + ADMIN; every other role gets 403, anonymous
 * 401). Search and keyset paging; detail with API keys and this month's
 * quota figures; tier, feature flags, suspend/reactivate, revoke all API
 * keys. Suspension works at once: requireAuth loads the account on every
 * request and refuses a SUSPENDED one, for tokens and API keys alike.
 * Every change is audited (actor = the admin).
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  AdminAccountDetailSchema,
  AdminAccountPageSchema,
  AdminAccountQuerySchema,
  AdminFeaturesChangeSchema,
  AdminReasonSchema,
  AdminRevokedKeysSchema,
  AdminTierChangeSchema,
  AccountSchema,
  IdSchema,
} from '@dme/core/protocol';
import { recorder } from '../audit/recorder.js';
import { requireAdmin, requireAuth } from '../auth/middleware.js';
import type { HubDeps } from '../deps.js';
import { HubError } from '../errors.js';
import { defaultPolicy, monthOf, monthStart, nextMonthStart } from '../limits/policy.js';
import { authErrorResponses, bearerSecurity, jsonBody, jsonResponse, newRouter, notFoundResponse } from '../openapi.js';
import type { AccountRecord } from '../store/types.js';
import { accountView } from '../views/account.js';

const tags = ['admin'];
const params = z.object({ id: IdSchema });
const accountResponse = { 200: jsonResponse(AccountSchema, 'The account after the change'), ...authErrorResponses, ...notFoundResponse };

const list = createRoute({
  method: 'get',
  path: '/accounts',
  tags,
  summary: 'Accounts by id, filtered by text, tier, status or feature',
  security: bearerSecurity,
  request: { query: AdminAccountQuerySchema },
  responses: { 200: jsonResponse(AdminAccountPageSchema, 'A page of accounts'), ...authErrorResponses },
});

const detail = createRoute({
  method: 'get',
  path: '/accounts/{id}',
  tags,
  summary: "An account with its API keys and this month's quota use",
  security: bearerSecurity,
  request: { params },
  responses: { 200: jsonResponse(AdminAccountDetailSchema, 'The account'), ...authErrorResponses, ...notFoundResponse },
});

const tier = createRoute({
  method: 'put',
  path: '/accounts/{id}/tier',
  tags,
  summary: "Change an account's tier (limits apply from its next request)",
  security: bearerSecurity,
  request: { params, body: jsonBody(AdminTierChangeSchema) },
  responses: accountResponse,
});

const features = createRoute({
  method: 'put',
  path: '/accounts/{id}/features',
  tags,
  summary: "Set an account's feature flags",
  security: bearerSecurity,
  request: { params, body: jsonBody(AdminFeaturesChangeSchema) },
  responses: accountResponse,
});

const suspend = createRoute({
  method: 'post',
  path: '/accounts/{id}/suspend',
  tags,
  summary: 'Suspend an account: its sessions and API keys stop working at once',
  security: bearerSecurity,
  request: { params },
  responses: accountResponse,
});

const reactivate = createRoute({
  method: 'post',
  path: '/accounts/{id}/reactivate',
  tags,
  summary: 'Lift a suspension',
  security: bearerSecurity,
  request: { params },
  responses: accountResponse,
});

const revokeKeys = createRoute({
  method: 'post',
  path: '/accounts/{id}/api-keys/revoke',
  tags,
  summary: "Revoke every API key of an account",
  security: bearerSecurity,
  request: { params },
  responses: { 200: jsonResponse(AdminRevokedKeysSchema, 'How many keys were revoked'), ...authErrorResponses, ...notFoundResponse },
});

function found(a: AccountRecord | null): AccountRecord {
  if (!a) throw new HubError('NOT_FOUND', 'no such account');
  return a;
}

export function adminAccountRoutes(deps: HubDeps) {
  const audit = recorder(deps.store, deps.clock);
  const router = newRouter();
  router.use('*', requireAuth(deps), requireAdmin());

  return router
    .openapi(list, async (c) => {
      const q = c.req.valid('query');
      const rows = await deps.store.admin.listAccounts({
        ...(q.q ? { q: q.q } : {}),
        ...(q.tier ? { tier: q.tier } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.feature ? { feature: q.feature } : {}),
        ...(q.cursor ? { afterId: q.cursor } : {}),
        limit: q.limit,
      });
      return c.json({ items: rows.map(accountView), nextCursor: rows.length === q.limit ? rows.at(-1)!.id : null }, 200);
    })
    .openapi(detail, async (c) => {
      const a = found(await deps.store.accounts.getById(c.req.valid('param').id));
      const now = deps.clock.now();
      const policy = (deps.limits?.policy ?? defaultPolicy)(a.tier, 'account');
      const keys = await deps.store.apiKeys.listByAccount(a.id);
      return c.json(
        {
          account: accountView(a),
          apiKeys: keys.map((k) => ({ id: k.id, name: k.name, scopes: k.scopes, createdAt: k.createdAt, expiresAt: k.expiresAt, lastUsedAt: k.lastUsedAt })),
          quota: {
            month: monthOf(now),
            apiCalls: await deps.store.quotas.apiCalls(a.id, monthOf(now)),
            apiCallsLimit: policy.monthlyApiCalls,
            downloadBytes: await deps.store.quotas.downloadBytes(a.id, monthStart(now).toISOString(), nextMonthStart(now).toISOString()),
            downloadBytesLimit: policy.monthlyDownloadBytes ?? Number.MAX_SAFE_INTEGER,
          },
        },
        200,
      );
    })
    .openapi(tier, async (c) => {
      const { id } = c.req.valid('param');
      const { tier: to } = c.req.valid('json');
      const now = deps.clock.now().toISOString();
      const a = await audit.run({ actor: c.var.caller.accountId, action: 'admin.account.tier', subject: id, details: { tier: to } }, (effects) =>
        deps.store.admin.setTier(id, to, now, effects),
      );
      return c.json(accountView(found(a)), 200);
    })
    .openapi(features, async (c) => {
      const { id } = c.req.valid('param');
      const { features: to } = c.req.valid('json');
      if (id === c.var.caller.accountId && !to.includes('ADMIN')) throw new HubError('INVALID_STATE', 'you cannot remove your own ADMIN flag; ask another admin');
      const now = deps.clock.now().toISOString();
      const a = await audit.run({ actor: c.var.caller.accountId, action: 'admin.account.features', subject: id, details: { features: to } }, (effects) =>
        deps.store.admin.setFeatures(id, to, now, effects),
      );
      return c.json(accountView(found(a)), 200);
    })
    .openapi(suspend, async (c) => {
      const { id } = c.req.valid('param');
      if (id === c.var.caller.accountId) throw new HubError('INVALID_STATE', 'you cannot suspend your own account');
      // The body is optional: an empty request suspends without a reason.
      const text = await c.req.text();
      let reason: string | undefined;
      if (text.trim()) {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw new HubError('BAD_REQUEST', 'Malformed JSON in request body');
        }
        const parsed = AdminReasonSchema.safeParse(body);
        if (!parsed.success) throw new HubError('VALIDATION_FAILED', 'invalid json', { details: { target: 'json' } });
        reason = parsed.data.reason;
      }
      const now = deps.clock.now().toISOString();
      const a = await audit.run({ actor: c.var.caller.accountId, action: 'admin.account.suspend', subject: id, details: reason ? { reason } : {} }, (effects) =>
        deps.store.admin.setStatus(id, 'SUSPENDED', now, effects),
      );
      return c.json(accountView(found(a)), 200);
    })
    .openapi(reactivate, async (c) => {
      const { id } = c.req.valid('param');
      const now = deps.clock.now().toISOString();
      const a = await audit.run({ actor: c.var.caller.accountId, action: 'admin.account.reactivate', subject: id, details: {} }, (effects) =>
        deps.store.admin.setStatus(id, 'ACTIVE', now, effects),
      );
      return c.json(accountView(found(a)), 200);
    })
    .openapi(revokeKeys, async (c) => {
      const { id } = c.req.valid('param');
      found(await deps.store.accounts.getById(id));
      const now = deps.clock.now().toISOString();
      const revoked = await audit.run({ actor: c.var.caller.accountId, action: 'admin.account.revoke-keys', subject: id, details: {} }, (effects) =>
        deps.store.admin.revokeApiKeys(id, now, effects),
      );
      return c.json({ revoked }, 200);
    });
}
