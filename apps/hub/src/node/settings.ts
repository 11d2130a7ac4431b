/**
 * @module node/settings
 * The Node hub's settings from environment variables, validated once at
 * start. A bad value is a ConfigError (exit code 2), never a crash later.
 *
 *   DME_HUB_HOST (127.0.0.1)  DME_HUB_PORT (8787)  DME_HUB_DATA (./.dme-hub)
 *   DME_HUB_PUBLIC_URL (http://<host>:<port>)     DME_BLOB (local | s3)
 *   DME_HUB_PASSWORD_ITERATIONS (600000)          DME_HUB_DEV (0)
 *   DME_HUB_ADMIN_EMAIL + DME_HUB_ADMIN_PASSWORD: create the first admin at start if none exists.
 */
import { resolve } from 'node:path';

export class ConfigError extends Error {
  readonly code = 'BAD_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface HubSettings {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  dataDir: string;
  /** Undefined: derived from host and the bound port. */
  publicUrl: string | undefined;
  blob: 'local' | 's3';
  passwordIterations: number;
  devMode: boolean;
  firstAdmin: { email: string; password: string } | undefined;
}

export const DEFAULT_PASSWORD_ITERATIONS = 600_000;

function int(env: Record<string, string | undefined>, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

export function settingsFromEnv(env: Record<string, string | undefined>, cwd: string = process.cwd()): HubSettings {
  const blob = env.DME_BLOB || 'local';
  if (blob !== 'local' && blob !== 's3') throw new ConfigError(`DME_BLOB must be "local" or "s3", got "${blob}"`);
  const publicUrl = env.DME_HUB_PUBLIC_URL || undefined;
  if (publicUrl !== undefined && !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(publicUrl)) throw new ConfigError(`DME_HUB_PUBLIC_URL must be an http(s) URL, got "${publicUrl}"`);
  const adminEmail = env.DME_HUB_ADMIN_EMAIL || undefined;
  const adminPassword = env.DME_HUB_ADMIN_PASSWORD || undefined;
  if (Boolean(adminEmail) !== Boolean(adminPassword)) throw new ConfigError('set both DME_HUB_ADMIN_EMAIL and DME_HUB_ADMIN_PASSWORD, or neither');
  return {
    host: env.DME_HUB_HOST || '127.0.0.1',
    port: int(env, 'DME_HUB_PORT', 8787, 0, 65535),
    dataDir: resolve(cwd, env.DME_HUB_DATA || '.dme-hub'),
    publicUrl: publicUrl?.replace(/\/+$/, ''),
    blob,
    passwordIterations: int(env, 'DME_HUB_PASSWORD_ITERATIONS', DEFAULT_PASSWORD_ITERATIONS, 1, 10_000_000),
    devMode: env.DME_HUB_DEV === '1',
    firstAdmin: adminEmail && adminPassword ? { email: adminEmail, password: adminPassword } : undefined,
  };
}
