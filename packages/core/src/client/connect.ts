/**
 * @module client/connect
 * One call from environment to a ready hub client: the session (API key or
 * stored login, refreshed transparently) behind the SDK's HubClient, plus an
 * anonymous client for signup/login. Also resolves what users type for a
 * dataset (an id or a slug) and registers this machine's identity with the
 * account, refusing to overwrite different keys unless forced.
 */
import { HubClient, HubError } from '../sdk/client.js';
import type { CatalogEntry } from '../protocol/api-consumer.js';
import type { AccountKeys } from '../protocol/auth.js';
import type { Dataset } from '../protocol/dataset.js';
import { createIdentity, loadPublicIdentity, type PublicIdentity } from '../identity/store.js';
import { ClientError } from './errors.js';
import { clientConfig, HubSession, type ClientConfig } from './session.js';
import { nodeFetch } from '../net/node-fetch.js';

export interface Connection {
  config: ClientConfig;
  session: HubSession;
  /** Authenticated through the session. */
  hub: HubClient;
  /** No credential: signup, login, the public marketplace. */
  anonymous: HubClient;
}

export async function connect(env: NodeJS.ProcessEnv = process.env, baseFetch: typeof fetch = nodeFetch): Promise<Connection> {
  const config = clientConfig(env);
  const session = await HubSession.open(config, baseFetch);
  return {
    config,
    session,
    hub: new HubClient({ baseUrl: config.hubUrl, fetch: session.fetch }),
    anonymous: new HubClient({ baseUrl: config.hubUrl, fetch: baseFetch }),
  };
}

/** Bound on pages walked when resolving a slug, so a runaway cursor cannot loop forever. */
const MAX_PAGES = 200;
const looksLikeSlug = (ref: string): boolean => /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(ref);

/** One of my datasets by id or slug. */
export async function resolveOwnDataset(hub: HubClient, ref: string): Promise<Dataset> {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await hub.listDatasets({ limit: 100, ...(cursor ? { cursor } : {}) });
    const found = res.items.find((d) => d.id === ref || d.slug === ref);
    if (found) return found;
    if (!res.nextCursor) break;
    cursor = res.nextCursor;
  }
  throw new ClientError('NOT_FOUND', `you have no dataset with id or slug "${ref}"`);
}

/** A catalog dataset by id or slug, with my subscription to it. */
export async function resolveCatalogDataset(hub: HubClient, ref: string): Promise<CatalogEntry> {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await hub.catalog({ limit: 100, ...(cursor ? { cursor } : {}) });
    const found = res.items.find((e) => e.dataset.id === ref || (looksLikeSlug(ref) && e.dataset.slug === ref));
    if (found) return found;
    if (!res.nextCursor) break;
    cursor = res.nextCursor;
  }
  throw new ClientError('NOT_FOUND', `no dataset with id or slug "${ref}" in the catalog`);
}

export type KeyRegistration =
  | { status: 'registered' | 'unchanged'; identity: PublicIdentity; created: boolean; warning?: string }
  | { status: 'mismatch'; identity: PublicIdentity; created: boolean; hubKeys: AccountKeys };

/**
 * Makes the account's registered keys this machine's identity (created on
 * first use, `dme identity create` semantics). Different keys already on the
 * hub are left alone unless `force`: replacing them would strand every grant
 * written to the old recipient.
 */
export async function registerIdentity(hub: HubClient, config: ClientConfig, opts: { force?: boolean } = {}): Promise<KeyRegistration> {
  let identity = await loadPublicIdentity(config.home);
  let created = false;
  let warning: string | undefined;
  if (!identity) {
    const made = await createIdentity(config.home, { storage: 'auto', env: config.env });
    identity = made.identity;
    warning = made.warning;
    created = true;
  }
  const hubKeys = await hub.keys();
  const same = hubKeys.ageRecipient === identity.ageRecipient && hubKeys.signingPublicKey === identity.signingPublicKey;
  if (same) return { status: 'unchanged', identity, created };
  const hasOther = hubKeys.ageRecipient !== null || hubKeys.signingPublicKey !== null;
  if (hasOther && !opts.force) return { status: 'mismatch', identity, created, hubKeys };
  await hub.putKeys({ ageRecipient: identity.ageRecipient, signingPublicKey: identity.signingPublicKey });
  return warning ? { status: 'registered', identity, created, warning } : { status: 'registered', identity, created };
}

/** The hub's keys for my account must be this machine's, or publishing and pulling cannot work. */
export async function requireRegisteredIdentity(hub: HubClient, identity: PublicIdentity): Promise<void> {
  const keys = await hub.keys();
  if (keys.ageRecipient !== identity.ageRecipient || keys.signingPublicKey !== identity.signingPublicKey) {
    throw new ClientError(
      'KEY_MISMATCH',
      keys.ageRecipient === null
        ? 'this account has no keys registered on the hub; run `dme login` (it registers them)'
        : 'the keys registered on the hub are not this machine\'s identity; run `dme login --force-keys` to replace them',
    );
  }
}

export { HubError };
