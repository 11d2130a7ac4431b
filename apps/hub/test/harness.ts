/**
 * Test harness: a real hub (createApp + SQLite file in a fresh temp dir) with
 * a controllable clock, plus small helpers for JSON requests and sign-ups.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthSession } from '@dme/core/protocol';
import { createApp } from '../src/app.js';
import type { Clock, HubConfig, HubDeps } from '../src/deps.js';
import { createIdSource } from '../src/ids.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import type { SqliteStore } from '../src/store/sqlite/index.js';
import { unconfiguredBlobStore } from '../src/unconfigured-blobs.js';

export class TestClock implements Clock {
  private t: number;
  constructor(start = Date.parse('2025-01-27T14:00:00.000Z')) {
    this.t = start;
  }
  now(): Date {
    return new Date(this.t);
  }
  advance(sec: number): void {
    this.t += sec * 1000;
  }
}

export const testConfig: HubConfig = {
  jwtSecret: 'test-jwt-secret-0123456789abcdef0123456789abcdef',
  urlSigningSecret: 'test-url-secret-0123456789abcdef0123456789abcdef',
  publicUrl: 'http://127.0.0.1:8787',
  passwordIterations: 1000,
  maxJsonBodyBytes: 16 * 1024,
  accessTokenTtlSec: 900,
  refreshTokenTtlSec: 30 * 24 * 3600,
  devMode: false,
};

export interface TestHub {
  app: ReturnType<typeof createApp>;
  deps: HubDeps;
  store: SqliteStore;
  clock: TestClock;
  dir: string;
  cleanup(): Promise<void>;
}

export function makeHub(overrides: Partial<HubDeps> = {}): TestHub {
  const dir = mkdtempSync(join(tmpdir(), 'dme-hub-test-'));
  const store = openSqliteStore(join(dir, 'hub.db'));
  const clock = new TestClock();
  const errors: string[] = [];
  const deps: HubDeps = {
    store,
    blobs: unconfiguredBlobStore,
    clock,
    ids: createIdSource(clock),
    config: testConfig,
    logger: { error: (m) => errors.push(m), info: () => {} },
    // The clock stands still in tests, so a few dozen setup calls would empty a
    // Starter bucket; limits have their own tests (src/limits), which turn them on.
    limits: { enabled: false },
    ...overrides,
  };
  return {
    app: createApp(deps),
    deps,
    store,
    clock,
    dir,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface JsonResult<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** One request through `app.request`; `body` objects are sent as JSON. `any` default: tests probe response bodies freely and assert their shape. */
export async function call<T = any>(hub: TestHub, method: string, path: string, opts: { body?: unknown; token?: string; raw?: string; headers?: Record<string, string> } = {}): Promise<JsonResult<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !('content-type' in headers)) headers['content-type'] = 'application/json';
  const res = await hub.app.request(path, { method, headers, body });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
}

let n = 0;
export async function signup(hub: TestHub, name = `user${++n}`): Promise<AuthSession & { password: string }> {
  const password = `correct horse ${name}`;
  const res = await call<AuthSession>(hub, 'POST', '/v1/auth/signup', {
    body: { email: `${name}@example.com`, password, displayName: name },
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body, password };
}
