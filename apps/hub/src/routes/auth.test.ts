import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthSessionSchema, ErrorBodySchema } from '@dme/core/protocol';
import { call, makeHub, signup } from '../../test/harness.js';
import type { TestHub } from '../../test/harness.js';

let hub: TestHub;
beforeEach(() => {
  hub = makeHub();
});
afterEach(async () => {
  await hub.cleanup();
});

describe('signup and login', () => {
  it('signs up, returns a valid session, and the access token works', async () => {
    const s = await signup(hub, 'alice');
    expect(AuthSessionSchema.parse(s).account.email).toBe('alice@example.com');
    expect(s.account.features).toEqual([]);
    expect(s.refreshToken).toMatch(/^rt_[0-9a-f]{64}$/);
    const me = await call(hub, 'GET', '/v1/account/profile', { token: s.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(s.account.id);
    expect(JSON.stringify(me.body)).not.toContain('pbkdf2');
  });

  it('refuses a second account with the same email, whatever the case', async () => {
    await signup(hub, 'bob');
    const res = await call(hub, 'POST', '/v1/auth/signup', { body: { email: 'BOB@example.com', password: 'another long password', displayName: 'B' } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
  });

  it('logs in with the right password, refuses the wrong one and an unknown email alike', async () => {
    const s = await signup(hub, 'carol');
    const ok = await call(hub, 'POST', '/v1/auth/login', { body: { email: 'Carol@Example.com', password: s.password } });
    expect(ok.status).toBe(200);
    expect(ok.body.account.id).toBe(s.account.id);
    const wrong = await call(hub, 'POST', '/v1/auth/login', { body: { email: 'carol@example.com', password: 'not the password' } });
    const unknown = await call(hub, 'POST', '/v1/auth/login', { body: { email: 'nobody@example.com', password: 'not the password' } });
    for (const r of [wrong, unknown]) {
      expect(r.status).toBe(401);
      expect(ErrorBodySchema.parse(r.body).error.code).toBe('UNAUTHENTICATED');
    }
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });

  it('stores only a PBKDF2 hash of the password', async () => {
    const s = await signup(hub, 'dave');
    const row = hub.store.db.prepare('SELECT password_hash FROM accounts WHERE id = ?').get(s.account.id) as { password_hash: string };
    expect(row.password_hash).toMatch(/^pbkdf2-sha256\$1000\$/);
    expect(row.password_hash).not.toContain(s.password);
  });
});

describe('refresh tokens', () => {
  it('rotates: the new pair works and the old refresh token is consumed', async () => {
    const s = await signup(hub, 'erin');
    const r1 = await call(hub, 'POST', '/v1/auth/refresh', { body: { refreshToken: s.refreshToken } });
    expect(r1.status).toBe(200);
    expect(r1.body.refreshToken).not.toBe(s.refreshToken);
    expect((await call(hub, 'GET', '/v1/account/profile', { token: r1.body.accessToken })).status).toBe(200);
    const r2 = await call(hub, 'POST', '/v1/auth/refresh', { body: { refreshToken: r1.body.refreshToken } });
    expect(r2.status).toBe(200);
  });

  it('reuse of a rotated token revokes the whole family, including its newest tokens', async () => {
    const s = await signup(hub, 'frank');
    const r1 = await call(hub, 'POST', '/v1/auth/refresh', { body: { refreshToken: s.refreshToken } });
    const reuse = await call(hub, 'POST', '/v1/auth/refresh', { body: { refreshToken: s.refreshToken } });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe('UNAUTHENTICATED');
    // The thief's (or the victim's) newer token is dead too, and so are access tokens of the family.
    expect((await call(hub, 'POST', '/v1/auth/refresh', { body: { refreshToken: r1.body.refreshToken } })).status).toBe(401);
    expect((await call(hub, 'GET', '/v1/account/profile', { token: r1.body.accessToken })).status).toBe(401);
    // Other sessions of the same account are untouched.
    const other = await call(hub, 'POST', '/v1/auth/login', { body: { email: 'frank@example.com', password: s.password } });
    expect((await call(hub, 'GET', '/v1/account/profile', { token: other.body.accessToken })).status).toBe(200);
  });

  it('refuses an unknown or expired refresh token', async () => {
    const s = await signup(hub, 'gina');
    expect((await call(hub, 'POST', '/v1/auth/refresh', { body: { refreshToken: 'rt_' + '0'.repeat(64) } })).status).toBe(401);
    hub.clock.advance(hub.deps.config.refreshTokenTtlSec + 1);
    const late = await call(hub, 'POST', '/v1/auth/refresh', { body: { refreshToken: s.refreshToken } });
    expect(late.status).toBe(401);
  });

  it('stores refresh tokens only as SHA-256 hashes', async () => {
    const s = await signup(hub, 'hank');
    const rows = hub.store.db.prepare('SELECT token_hash FROM refresh_tokens').all() as { token_hash: string }[];
    expect(rows.length).toBe(1);
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.token_hash).not.toBe(s.refreshToken);
  });
});

describe('logout and expiry', () => {
  it('logout revokes the family: refresh and access tokens stop working', async () => {
    const s = await signup(hub, 'ivan');
    const out = await call(hub, 'POST', '/v1/auth/logout', { body: { refreshToken: s.refreshToken } });
    expect(out.status).toBe(204);
    expect((await call(hub, 'POST', '/v1/auth/refresh', { body: { refreshToken: s.refreshToken } })).status).toBe(401);
    expect((await call(hub, 'GET', '/v1/account/profile', { token: s.accessToken })).status).toBe(401);
  });

  it('an access token expires by the hub clock with TOKEN_EXPIRED; refresh then works', async () => {
    const s = await signup(hub, 'judy');
    hub.clock.advance(hub.deps.config.accessTokenTtlSec - 1);
    expect((await call(hub, 'GET', '/v1/account/profile', { token: s.accessToken })).status).toBe(200);
    hub.clock.advance(2);
    const expired = await call(hub, 'GET', '/v1/account/profile', { token: s.accessToken });
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('TOKEN_EXPIRED');
    const r = await call(hub, 'POST', '/v1/auth/refresh', { body: { refreshToken: s.refreshToken } });
    expect((await call(hub, 'GET', '/v1/account/profile', { token: r.body.accessToken })).status).toBe(200);
  });

  it('refuses forged, tampered and malformed bearer tokens with 401 and WWW-Authenticate', async () => {
    const s = await signup(hub, 'kate');
    const [h, p] = s.accessToken.split('.');
    const tampered = `${h}.${p}.${'A'.repeat(43)}`;
    for (const token of [tampered, 'garbage', 'dme_key_x_y', 'a.b.c']) {
      const res = await call(hub, 'GET', '/v1/account/profile', { token });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
    const none = await call(hub, 'GET', '/v1/account/profile');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const basic = await call(hub, 'GET', '/v1/account/profile', { headers: { authorization: 'Basic abc' } });
    expect(basic.status).toBe(401);
  });
});
