/**
 * @module app
 * createApp(deps): the whole hub as one Hono app, runtime-agnostic. Routers
 * are chained with `.route()` so `AppType` carries every route for the typed
 * client. Order matters only for middleware: the JSON body limit covers the
 * API under /v1 but not the blob routes, which stream payloads.
 *
 * To add a resource: write src/routes/<resource>.ts exporting
 * `<resource>Routes(deps)` (a `newRouter()` with `requireAuth(deps)` and, where
 * needed, `requireFeature(...)`), then chain it below.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { MiddlewareHandler } from 'hono';
import { requireAdmin, requireAuth, requireFeature } from './auth/middleware.js';
import type { HubDeps } from './deps.js';
import type { HubEnv } from './env.js';
import { createErrorHandler, errorResponse, notFoundHandler, validationHook } from './errors.js';
import { accountRoutes } from './routes/account.js';
import { accountsRoutes } from './routes/accounts.js';
import { authRoutes } from './routes/auth.js';
import { docsRoutes } from './routes/docs.js';
import { keyRoutes } from './routes/keys.js';
import { auditRoutes } from './routes/audit.js';
import { consumerRoutes } from './routes/consumer.js';
import { datasetRoutes } from './routes/datasets.js';
import { marketplaceRoutes } from './routes/marketplace.js';
import { releaseRoutes } from './routes/releases.js';
import { subscriberRoutes } from './routes/subscribers.js';
import { usageRoutes } from './routes/usage.js';
import { adminAccountRoutes } from './routes/admin.js';
import { adminCatalogRoutes } from './routes/admin-catalog.js';
import { adminWebhookRoutes } from './routes/admin-webhooks.js';
import { adminWebRoutes } from './admin-web/routes.js';
import { freshnessRoutes } from './freshness/routes.js';
import { rateLimits } from './limits/middleware.js';
import { eventRoutes } from './routes/events.js';
import { webhookRoutes } from './routes/webhooks.js';
import { notifyAfterWrites } from './events/notify-after-writes.js';

export const API_VERSION = '0.1.0';

function jsonBodyLimit(maxSize: number): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize,
    onError: (c) => errorResponse(c, 'PAYLOAD_TOO_LARGE', `request body exceeds ${maxSize} bytes`, { maxBytes: maxSize }),
  });
  // GET and HEAD never carry a body in Fetch; asking for one anyway (`c.req.raw.body`) makes
  // @hono/node-server build a full Request per call, measured at ~7% of an authenticated GET.
  return async (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.path.startsWith('/v1/blob/') ? next() : limit(c, next));
}

export function createApp(deps: HubDeps) {
  const app = new OpenAPIHono<HubEnv>({ defaultHook: validationHook });
  app.onError(createErrorHandler(deps.logger));
  app.notFound(notFoundHandler);
  app.use('/v1/*', jsonBodyLimit(deps.config.maxJsonBodyBytes));
  // Tier rate limits and quotas before any route (skips /v1/blob); adds RateLimit headers to every /v1 answer.
  app.use('/v1/*', rateLimits(deps));
  if (deps.blobRoutes) app.route('/v1/blob', deps.blobRoutes);
  // Post-commit hook of the event fan-out: wakes streams and the webhook worker after writes.
  app.use('/v1/*', notifyAfterWrites(deps.store));
  // Area guards: every producer or consumer route, present or future, requires
  // auth, the matching API-key scope and the account feature, before routing.
  app.use('/v1/producer/*', requireAuth(deps), requireFeature('DATA_PRODUCER'));
  app.use('/v1/consumer/*', requireAuth(deps), requireFeature('DATA_CONSUMER'));
  app.use('/v1/admin/*', requireAuth(deps), requireAdmin());

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An access token from /v1/auth/login, or an API key `dme_<id>_<secret>`',
  });

  const routes = app
    .route('/v1/auth', authRoutes(deps))
    .route('/v1/auth/api-keys', keyRoutes(deps))
    .route('/v1/account', accountRoutes(deps))
    .route('/v1/accounts', accountsRoutes(deps))
    .route('/v1/producer/datasets', datasetRoutes(deps))
    .route('/v1/producer', releaseRoutes(deps))
    .route('/v1/producer', subscriberRoutes(deps))
    .route('/v1/consumer', consumerRoutes(deps))
    .route('/v1/consumer/webhook', webhookRoutes(deps))
    .route('/v1/events', eventRoutes(deps))
    .route('/v1/marketplace', marketplaceRoutes(deps))
    .route('/v1/usage', usageRoutes(deps))
    .route('/v1/admin/audit', auditRoutes(deps))
    .route('/v1/admin', adminAccountRoutes(deps))
    .route('/v1/admin', adminCatalogRoutes(deps))
    .route('/v1/admin', adminWebhookRoutes(deps))
    .route('/v1/freshness', freshnessRoutes(deps));

  app.doc31('/v1/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'DME hub', version: API_VERSION, description: 'Secure data exchange hub. The hub routes; it never sees keys or plaintext.' },
    servers: [{ url: deps.config.publicUrl }],
  });
  app.route('/docs', docsRoutes(deps.docs));
  app.route('/admin', adminWebRoutes());
  return routes;
}

export type AppType = ReturnType<typeof createApp>;
