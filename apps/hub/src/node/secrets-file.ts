/**
 * @module node/secrets-file
 * The hub's own signing secrets (JWT and blob-URL HMAC) in
 * `<data>/secrets.json`, generated on first run with mode 0600. Created with
 * O_EXCL so two hubs starting at once cannot overwrite each other's secrets.
 * Losing this file logs everyone out and invalidates outstanding URLs; it
 * decrypts nothing (the hub holds no data keys).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './settings.js';

export interface HubSecrets {
  jwtSecret: string;
  urlSigningSecret: string;
}

export const SECRETS_FILE = 'secrets.json';

function isSecrets(x: unknown): x is HubSecrets {
  const s = x as Partial<HubSecrets> | null;
  return typeof s?.jwtSecret === 'string' && s.jwtSecret.length >= 32 && typeof s.urlSigningSecret === 'string' && s.urlSigningSecret.length >= 32;
}

export function loadOrCreateSecrets(dataDir: string): { secrets: HubSecrets; created: boolean } {
  const path = join(dataDir, SECRETS_FILE);
  const fresh: HubSecrets = { jwtSecret: randomBytes(32).toString('base64url'), urlSigningSecret: randomBytes(32).toString('base64url') };
  try {
    writeFileSync(path, JSON.stringify(fresh, null, 2) + '\n', { flag: 'wx', mode: 0o600 });
    return { secrets: fresh, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // Someone loosened the permissions: tighten them rather than refuse to start.
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new ConfigError(`${path} is not valid JSON; restore it or delete it to generate new secrets (logs everyone out)`);
  }
  if (!isSecrets(parsed)) throw new ConfigError(`${path} lacks jwtSecret/urlSigningSecret of at least 32 characters`);
  return { secrets: { jwtSecret: parsed.jwtSecret, urlSigningSecret: parsed.urlSigningSecret }, created: false };
}
