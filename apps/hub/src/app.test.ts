import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '@dme/core/protocol';
import { HubError } from './errors.js';
import { call, makeHub, signup } from '../test/harness.js';
import type { TestHub } from '../test/harness.js';

let hub: TestHub;
beforeEach(() => {
  hub = makeHub();
});
afterEach(async () => {
  await hub.cleanup();
});

describe('error shape', () => {
  it('unknown route: 404 with the error shape', async () => {
    const res = await call(hub, 'GET', '/v1/nope');
    expect(res.status).toBe(404);
    expect(ErrorBodySchema.parse(res.body).error.code).toBe('NOT_FOUND');
  });

  it('malformed JSON: 400 BAD_REQUEST, no stack', async () => {
    const res = await call(hub, 'POST', '/v1/auth/login', { raw: '{"email": "a@b.c", "password": ' });
    expect(res.status).toBe(400);
    expect(ErrorBodySchema.parse(res.body).error.code).toBe('BAD_REQUEST');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('wrong types: 400 VALIDATION_FAILED with issue paths, no echo of input', async () => {
    const res = await call(hub, 'POST', '/v1/auth/signup', { body: { email: 'not-an-email', password: 12345, displayName: 'x' } });
    expect(res.status).toBe(400);
    const body = ErrorBodySchema.parse(res.body);
    expect(body.error.code).toBe('VALIDATION_FAILED');
    const paths = (body.error.details!.issues as { path: string[] }[]).map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['email', 'password']));
    expect(JSON.stringify(res.body)).not.toContain('not-an-email');
  });

  it('missing body and wrong content type are 4xx, not 500', async () => {
    expect((await call(hub, 'POST', '/v1/auth/login')).status).toBe(400);
    const text = await call(hub, 'POST', '/v1/auth/login', { raw: 'email=a', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const arr = await call(hub, 'POST', '/v1/auth/login', { raw: '[1,2]' });
    expect(arr.status).toBe(400);
  });

  it('oversized body: 413 PAYLOAD_TOO_LARGE, nothing stored', async () => {
    const big = 'x'.repeat(hub.deps.config.maxJsonBodyBytes + 1);
    const res = await call(hub, 'POST', '/v1/auth/signup', { body: { email: 'big@example.com', password: 'long enough pw', displayName: big } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await hub.store.accounts.getByEmail('big@example.com')).toBeNull();
  });

  it('a real bug answers 500 INTERNAL with a generic message and is logged', async () => {
    const logged: string[] = [];
    const broken = makeHub({
      logger: { error: (m, f) => logged.push(`${m} ${JSON.stringify(f)}`), info: () => {} },
    });
    try {
      broken.store.accounts.getByEmail = async () => {
        throw new Error('disk on fire');
      };
      const res = await call(broken, 'POST', '/v1/auth/login', { body: { email: 'a@example.com', password: 'whatever' } });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
      expect(logged.join()).toContain('disk on fire');
      expect(logged.join()).not.toContain('whatever');
    } finally {
      await broken.cleanup();
    }
  });

  it('HubError carries its status from the protocol table', () => {
    expect(new HubError('TOKEN_EXPIRED', 'x').status).toBe(401);
    expect(new HubError('INTEGRITY_FAILED', 'x').status).toBe(422);
  });
});

describe('OpenAPI and docs', () => {
  it('serves an OpenAPI 3.1 document generated from the protocol schemas', async () => {
    const res = await call(hub, 'GET', '/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/v1/auth/signup', '/v1/auth/login', '/v1/auth/refresh', '/v1/auth/logout', '/v1/auth/api-keys', '/v1/auth/api-keys/{id}', '/v1/account/profile', '/v1/account/enable-feature', '/v1/account/keys', '/v1/accounts/{id}/keys']),
    );
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(res.body.paths['/v1/account/profile'].get.security).toEqual([{ bearer: [] }]);
    const signupBody = res.body.paths['/v1/auth/signup'].post.requestBody.content['application/json'].schema;
    expect(signupBody.required).toEqual(expect.arrayContaining(['email', 'password', 'displayName']));
  });

  it('/docs without assets says so with the error shape; with assets serves them locally', async () => {
    expect((await hub.app.request('/docs')).status).toBe(404);
    const withDocs = makeHub({
      docs: { files: new Map([['swagger-ui.css', { body: new TextEncoder().encode('.x{}'), contentType: 'text/css' }]]) },
    });
    try {
      const page = await withDocs.app.request('/docs');
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('/docs/swagger-ui.css');
      expect(html).not.toMatch(/https?:\/\//);
      const css = await withDocs.app.request('/docs/swagger-ui.css');
      expect(await css.text()).toBe('.x{}');
      expect((await withDocs.app.request('/docs/..%2Fsecrets.json')).status).toBe(404);
    } finally {
      await withDocs.cleanup();
    }
  });

  it('documented routes work end to end through the typed app', async () => {
    const s = await signup(hub);
    expect((await call(hub, 'GET', '/v1/account/keys', { token: s.accessToken })).status).toBe(200);
  });
});
