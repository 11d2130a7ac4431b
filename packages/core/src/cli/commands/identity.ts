/**
 * @module cli/commands/identity
 * `dme identity create|show|export`: the account's age identity and Ed25519
 * signing key on this machine (see identity/store for where secrets live).
 */
import { fingerprint } from '../../crypto/manifest.js';
import { createIdentity, dmeHome, loadPublicIdentity, loadSecrets, type PublicIdentity } from '../../identity/store.js';
import { parse } from '../args.js';
import { CliError, UsageError } from '../errors.js';
import { line, withOutput, type Io } from '../io.js';

export const IDENTITY_USAGE = 'dme identity create [--storage auto|keychain|file] [--force] | show [--json] | export [-o FILE]';

export const IDENTITY_HELP = `Manage this machine's DME identity (age X25519 + Ed25519 signing key).

usage:
  dme identity create [--storage auto|keychain|file] [--force] [--json]
      make a new identity; secrets go to the OS keychain when one is available
      (auto), otherwise to files of mode 0600 under $DME_HOME (default ~/.dme)
  dme identity show [--json]
      print the public keys and their fingerprints (compare them out of band)
  dme identity export [-o FILE]
      write the age secret key in age's key-file format, usable as
      \`age -d -i FILE\`; FILE is created with mode 0600`;

function describe(identity: PublicIdentity, home: string): string[] {
  return [
    `age recipient:      ${identity.ageRecipient}`,
    `  fingerprint:      ${fingerprint(identity.ageRecipient)}`,
    `signing key:        ${identity.signingPublicKey}`,
    `  fingerprint:      ${fingerprint(identity.signingPublicKey)}`,
    `secrets stored in:  ${identity.storage === 'keychain' ? 'OS keychain (service "DME")' : home}`,
    `created:            ${identity.createdAt}`,
  ];
}

function asJson(identity: PublicIdentity, home: string): string {
  return JSON.stringify({
    ...identity,
    home,
    ageFingerprint: fingerprint(identity.ageRecipient),
    signingFingerprint: fingerprint(identity.signingPublicKey),
  });
}

export async function identityCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const home = dmeHome(io.env);
  switch (sub) {
    case 'create': {
      const { values, positionals } = parse(
        rest,
        { storage: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } },
        IDENTITY_USAGE,
      );
      if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}\nusage: ${IDENTITY_USAGE}`);
      const storage = values.storage ?? 'auto';
      if (storage !== 'auto' && storage !== 'keychain' && storage !== 'file') {
        throw new UsageError(`--storage must be auto, keychain or file, not ${storage}`);
      }
      const { identity, warning } = await createIdentity(home, { storage, force: values.force ?? false, env: io.env });
      if (warning) line(io.stderr, `dme: warning: ${warning}`);
      if (values.json) line(io.stdout, asJson(identity, home));
      else for (const l of ['Created a new DME identity.', ...describe(identity, home)]) line(io.stdout, l);
      return 0;
    }
    case 'show': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, IDENTITY_USAGE);
      const identity = await loadPublicIdentity(home);
      if (!identity) throw new CliError(`no identity in ${home}; run: dme identity create`);
      if (values.json) line(io.stdout, asJson(identity, home));
      else for (const l of describe(identity, home)) line(io.stdout, l);
      return 0;
    }
    case 'export': {
      const { values } = parse(rest, { output: { type: 'string', short: 'o' } }, IDENTITY_USAGE);
      const { identity, secrets } = await loadSecrets(home, io.env);
      const text = `# created: ${identity.createdAt}\n# public key: ${identity.ageRecipient}\n${secrets.ageIdentity}\n`;
      await withOutput(io, values.output, async (out) => void out.write(text), { mode: 0o600 });
      return 0;
    }
    case undefined:
      throw new UsageError(`missing subcommand\nusage: ${IDENTITY_USAGE}`);
    default:
      throw new UsageError(`unknown subcommand "${sub}"\nusage: ${IDENTITY_USAGE}`);
  }
}
