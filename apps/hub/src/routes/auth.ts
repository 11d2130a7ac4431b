/**
 * @module routes/auth
 * POST /v1/auth/signup, /login, /refresh, /logout. Unauthenticated by design:
 * the body carries the credential. Refresh tokens rotate on every use.
 */
import { createRoute } from '@hono/zod-openapi';
import { AuthSessionSchema, LoginRequestSchema, LogoutRequestSchema, RefreshRequestSchema, SignupRequestSchema } from '@dme/core/protocol';
import { hashPassword } from '../auth/secrets.js';
import { checkPassword, openSession, rotateSession } from '../auth/session.js';
import { hashRefreshToken } from '../auth/tokens.js';
import type { HubDeps } from '../deps.js';
import { HubError } from '../errors.js';
import { authErrorResponses, conflictResponse, errorResponses, jsonBody, jsonResponse, newRouter } from '../openapi.js';
import { StoreConflictError } from '../store/types.js';

const tags = ['auth'];

const signup = createRoute({
  method: 'post',
  path: '/signup',
  tags,
  summary: 'Create an account and log in',
  request: { body: jsonBody(SignupRequestSchema) },
  responses: { 201: jsonResponse(AuthSessionSchema, 'Account created; session issued'), ...errorResponses, ...conflictResponse },
});

const login = createRoute({
  method: 'post',
  path: '/login',
  tags,
  summary: 'Exchange email and password for an access token and a refresh token',
  request: { body: jsonBody(LoginRequestSchema) },
  responses: { 200: jsonResponse(AuthSessionSchema, 'Session issued'), ...authErrorResponses },
});

const refresh = createRoute({
  method: 'post',
  path: '/refresh',
  tags,
  summary: 'Rotate a refresh token (single use; reuse revokes the session)',
  request: { body: jsonBody(RefreshRequestSchema) },
  responses: { 200: jsonResponse(AuthSessionSchema, 'New token pair'), ...authErrorResponses },
});

const logout = createRoute({
  method: 'post',
  path: '/logout',
  tags,
  summary: 'Revoke the session the refresh token belongs to',
  request: { body: jsonBody(LogoutRequestSchema) },
  responses: { 204: { description: 'Session revoked (also when the token was unknown)' }, ...errorResponses },
});

export function authRoutes(deps: HubDeps) {
  return newRouter()
    .openapi(signup, async (c) => {
      const body = c.req.valid('json');
      const now = deps.clock.now().toISOString();
      let account;
      try {
        account = await deps.store.accounts.create({
          id: deps.ids.id('acc'),
          email: body.email.toLowerCase(),
          passwordHash: await hashPassword(body.password, deps.config.passwordIterations),
          displayName: body.displayName,
          organization: body.organization ?? null,
          features: [],
          now,
        });
      } catch (err) {
        if (err instanceof StoreConflictError) throw new HubError('CONFLICT', err.message);
        throw err;
      }
      return c.json(await openSession(deps, account), 201);
    })
    .openapi(login, async (c) => {
      const body = c.req.valid('json');
      const found = await deps.store.accounts.getByEmail(body.email.toLowerCase());
      const account = await checkPassword(deps, found, body.password);
      return c.json(await openSession(deps, account), 200);
    })
    .openapi(refresh, async (c) => c.json(await rotateSession(deps, c.req.valid('json').refreshToken), 200))
    .openapi(logout, async (c) => {
      await deps.store.sessions.revokeByToken(await hashRefreshToken(c.req.valid('json').refreshToken), deps.clock.now().toISOString());
      return c.body(null, 204);
    });
}
