/**
 * @module openapi
 * Helpers every router uses so its routes are documented from the shared
 * protocol schemas: a router factory wired to the validation hook, JSON
 * request/response descriptors, and the standard error responses.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { z } from 'zod';
import { ErrorBodySchema } from '@dme/core/protocol';
import type { HubEnv } from './env.js';
import { validationHook } from './errors.js';

/** A router whose request validation failures become 400 VALIDATION_FAILED. */
export function newRouter(): OpenAPIHono<HubEnv> {
  return new OpenAPIHono<HubEnv>({ defaultHook: validationHook });
}

/** A required JSON request body (a missing or non-JSON body is rejected, never read as `{}`). */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, description, content: { 'application/json': { schema } } } as const;
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}

const errorContent = { 'application/json': { schema: ErrorBodySchema } } as const;

/** Error responses documented on every route; the body is always the protocol's ErrorBody. */
export const errorResponses = {
  400: { description: 'Malformed request or validation failure', content: errorContent },
  413: { description: 'Request body too large', content: errorContent },
} as const;

export const authErrorResponses = {
  ...errorResponses,
  401: { description: 'Missing, invalid or expired credentials', content: errorContent },
  403: { description: 'Not allowed for this account or API key scope', content: errorContent },
} as const;

export const notFoundResponse = { 404: { description: 'Not found', content: errorContent } } as const;
export const conflictResponse = { 409: { description: 'Conflict', content: errorContent } } as const;

/** Security requirement for bearer-protected routes (JWT or API key). */
export const bearerSecurity = [{ bearer: [] as string[] }];
