/**
 * @module cli/commands/account
 * `dme signup|login|logout|whoami`, `dme keys create|list|revoke` and
 * `dme enable producer|consumer`: the account on the hub named by
 * DME_HUB_URL. Passwords come from --password-stdin or a no-echo prompt,
 * never argv. Signing up or logging in registers this machine's identity
 * (created if missing) unless the hub already holds different keys, which is
 * reported loudly and only replaced with --force-keys.
 */
import { registerIdentity, type Connection } from '../../client/connect.js';
import { fingerprint } from '../../crypto/manifest.js';
import { API_KEY_SCOPES, type ApiKeyScope, type AuthSession } from '../../protocol/auth.js';
import { parse, onePositional } from '../args.js';
import { CliError, UsageError } from '../errors.js';
import { readPassword, requireLogin, withHub } from '../hub-io.js';
import { line, type Io } from '../io.js';

const ENV_HELP = 'Environment: DME_HUB_URL (default http://127.0.0.1:8787), DME_HOME, DME_API_KEY (used instead of a login).';

export const SIGNUP_HELP = `Create an account on the hub and log in.

usage: dme signup --email EMAIL [--name NAME] [--organization ORG] [--password-stdin] [--force-keys] [--json]

The password is read from stdin with --password-stdin, otherwise asked for
without echo. This machine's identity (dme identity create) is made if needed
and its public keys are registered with the account.
${ENV_HELP}`;

export const LOGIN_HELP = `Log in to the hub; the session is kept in the OS keychain, else $DME_HOME/session.json (0600).

usage: dme login --email EMAIL [--password-stdin] [--force-keys] [--json]

  --force-keys   replace keys registered on the hub that differ from this machine's
                 (grants written to the old keys become unreadable)
${ENV_HELP}`;

export const LOGOUT_HELP = `End the session with the hub and forget its tokens.

usage: dme logout`;

export const WHOAMI_HELP = `Show the account the CLI acts as, its features, tier and key fingerprints.

usage: dme whoami [--json]
${ENV_HELP}`;

export const KEYS_USAGE = 'dme keys create --name NAME --scope producer|consumer|read-only… [--expires TIME] [--json] | list [--json] | revoke ID';
export const KEYS_HELP = `Manage API keys (for scripts: export DME_API_KEY=…).

usage:
  dme keys create --name NAME --scope SCOPE [--scope SCOPE] [--expires 2026-01-01T00:00:00Z] [--json]
      the key is printed once and cannot be shown again
  dme keys list [--json]
  dme keys revoke ID`;

export const ENABLE_HELP = `Turn on a role for this account.

usage: dme enable producer|consumer`;

async function afterLogin(c: Connection, io: Io, session: AuthSession, force: boolean, json: boolean): Promise<number> {
  await c.session.remember(session);
  const reg = await registerIdentity(c.hub, c.config, { force });
  if (reg.created) line(io.stderr, `dme: created a new identity in ${c.config.home}`);
  if (reg.status !== 'mismatch' && reg.warning) line(io.stderr, `dme: warning: ${reg.warning}`);
  if (reg.status === 'mismatch') {
    line(
      io.stderr,
      `dme: WARNING: the hub holds DIFFERENT keys for ${session.account.email} (age ${fingerprint(reg.hubKeys.ageRecipient ?? '')}) than this machine (age ${fingerprint(reg.identity.ageRecipient)}); ` +
        'they were NOT replaced: this machine cannot decrypt or publish for this account until you copy the identity here or run `dme login --force-keys`',
    );
  }
  if (json) {
    line(io.stdout, JSON.stringify({ hubUrl: c.config.hubUrl, account: session.account, keys: reg.status, sessionStore: c.session.store.where }));
  } else {
    line(io.stdout, `Logged in to ${c.config.hubUrl} as ${session.account.email} (${session.account.id}).`);
    if (reg.status === 'registered') line(io.stdout, `Registered this machine's keys (age ${fingerprint(reg.identity.ageRecipient)}).`);
  }
  return 0;
}

export async function signupCommand(argv: string[], io: Io): Promise<number> {
  const usage = 'dme signup --email EMAIL [--name NAME] [--organization ORG] [--password-stdin] [--force-keys] [--json]';
  const { values, positionals } = parse(
    argv,
    { email: { type: 'string' }, name: { type: 'string' }, organization: { type: 'string' }, 'password-stdin': { type: 'boolean' }, 'force-keys': { type: 'boolean' }, json: { type: 'boolean' } },
    usage,
  );
  if (positionals.length > 0 || !values.email) throw new UsageError(`--email is required\nusage: ${usage}`);
  const email = values.email;
  const password = await readPassword(io, values['password-stdin'] ?? false, { confirm: true });
  return withHub(io, async (c) => {
    const session = await c.anonymous.signup({
      email,
      password,
      displayName: values.name ?? email.split('@')[0]!,
      ...(values.organization ? { organization: values.organization } : {}),
    });
    return afterLogin(c, io, session, values['force-keys'] ?? false, values.json ?? false);
  });
}

export async function loginCommand(argv: string[], io: Io): Promise<number> {
  const usage = 'dme login --email EMAIL [--password-stdin] [--force-keys] [--json]';
  const { values, positionals } = parse(argv, { email: { type: 'string' }, 'password-stdin': { type: 'boolean' }, 'force-keys': { type: 'boolean' }, json: { type: 'boolean' } }, usage);
  if (positionals.length > 0 || !values.email) throw new UsageError(`--email is required\nusage: ${usage}`);
  const email = values.email;
  const password = await readPassword(io, values['password-stdin'] ?? false);
  return withHub(io, async (c) => afterLogin(c, io, await c.anonymous.login({ email, password }), values['force-keys'] ?? false, values.json ?? false));
}

export async function logoutCommand(argv: string[], io: Io): Promise<number> {
  parse(argv, {}, 'dme logout');
  return withHub(io, async (c) => {
    if (c.config.apiKey) throw new CliError('DME_API_KEY is set: there is no login session to end (unset it, or revoke the key with `dme keys revoke`)');
    const refresh = c.session.refreshToken;
    // Forget locally first: a hub that is down must not keep the tokens on disk.
    await c.session.forget();
    if (refresh) await c.anonymous.logout(refresh).catch(() => undefined);
    line(io.stdout, refresh ? `Logged out of ${c.config.hubUrl}.` : `Not logged in to ${c.config.hubUrl}.`);
    return 0;
  });
}

export async function whoamiCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' } }, 'dme whoami [--json]');
  return withHub(io, async (c) => {
    requireLogin(c);
    const [account, keys] = await Promise.all([c.hub.profile(), c.hub.keys()]);
    if (values.json) {
      line(io.stdout, JSON.stringify({ hubUrl: c.config.hubUrl, via: c.session.via, account, keys }));
      return 0;
    }
    line(io.stdout, `${account.email} (${account.id}) on ${c.config.hubUrl}, via ${c.session.via}`);
    line(io.stdout, `features: ${account.features.join(', ') || '(none)'}; tier: ${account.tier}`);
    line(io.stdout, `age recipient:  ${keys.ageRecipient ?? '(not registered)'}${keys.ageRecipientFingerprint ? `  [${keys.ageRecipientFingerprint}]` : ''}`);
    line(io.stdout, `signing key:    ${keys.signingPublicKey ?? '(not registered)'}${keys.signingPublicKeyFingerprint ? `  [${keys.signingPublicKeyFingerprint}]` : ''}`);
    return 0;
  });
}

export async function keysCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  return withHub(io, async (c) => {
    requireLogin(c);
    if (sub === 'create') {
      const { values } = parse(rest, { name: { type: 'string' }, scope: { type: 'string', multiple: true }, expires: { type: 'string' }, json: { type: 'boolean' } }, KEYS_USAGE);
      const scopes = (values.scope ?? []).flatMap((s) => s.split(','));
      if (!values.name || scopes.length === 0) throw new UsageError(`--name and --scope are required\nusage: ${KEYS_USAGE}`);
      for (const s of scopes) if (!(API_KEY_SCOPES as readonly string[]).includes(s)) throw new UsageError(`--scope must be one of ${API_KEY_SCOPES.join(', ')}, not ${s}`);
      const key = await c.hub.createApiKey({ name: values.name, scopes: scopes as ApiKeyScope[], ...(values.expires ? { expiresAt: values.expires } : {}) });
      if (values.json) line(io.stdout, JSON.stringify(key));
      else {
        line(io.stdout, key.key);
        line(io.stderr, `API key ${key.id} (${key.scopes.join(', ')}): shown once, store it now (e.g. DME_API_KEY).`);
      }
      return 0;
    }
    if (sub === 'list') {
      const { values } = parse(rest, { json: { type: 'boolean' } }, KEYS_USAGE);
      const { items } = await c.hub.listApiKeys();
      if (values.json) line(io.stdout, JSON.stringify({ items }));
      else if (items.length === 0) line(io.stdout, 'No API keys.');
      else for (const k of items) line(io.stdout, `${k.id}  ${k.name}  [${k.scopes.join(',')}]  created ${k.createdAt}${k.expiresAt ? `  expires ${k.expiresAt}` : ''}${k.lastUsedAt ? `  last used ${k.lastUsedAt}` : ''}`);
      return 0;
    }
    if (sub === 'revoke') {
      const { positionals } = parse(rest, {}, KEYS_USAGE);
      const id = onePositional(positionals, 'key ID', KEYS_USAGE);
      await c.hub.revokeApiKey(id);
      line(io.stdout, `Revoked ${id}.`);
      return 0;
    }
    throw new UsageError(`${sub ? `unknown subcommand "${sub}"` : 'missing subcommand'}\nusage: ${KEYS_USAGE}`);
  });
}

export async function enableCommand(argv: string[], io: Io): Promise<number> {
  const usage = 'dme enable producer|consumer [--json]';
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, usage);
  const role = onePositional(positionals, 'role (producer or consumer)', usage);
  if (role !== 'producer' && role !== 'consumer') throw new UsageError(`role must be producer or consumer, not ${role}\nusage: ${usage}`);
  return withHub(io, async (c) => {
    requireLogin(c);
    const account = await c.hub.enableFeature(role === 'producer' ? 'DATA_PRODUCER' : 'DATA_CONSUMER');
    if (values.json) line(io.stdout, JSON.stringify(account));
    else line(io.stdout, `Enabled ${role}: features now ${account.features.join(', ')}.`);
    return 0;
  });
}
