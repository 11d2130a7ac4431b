/**
 * @module identity/store
 * The account's keys on this machine: an age X25519 identity (decrypts what is
 * shared with the account) and an Ed25519 signing key (signs what it
 * publishes). Public halves live in `$DME_HOME/identity.json`; secret halves
 * in the OS keychain when one is usable, otherwise in key files of mode 0600
 * inside a 0700 `$DME_HOME` (default `~/.dme`).
 *
 * Invariant: a secret is never written anywhere but the keychain or its 0600
 * file, and never logged; `identity.json` holds only public material.
 */
import { mkdir, readFile, chmod, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, identityToRecipient, parseIdentityFile } from '../crypto/age/index.js';
import { generateSigningKey, signingPublicKey } from '../crypto/ed25519.js';
import { writeFileAtomically } from '../fs/atomic-file.js';
import { openKeychain, type Keychain } from './keychain.js';

export type SecretStorage = 'keychain' | 'file';

export interface PublicIdentity {
  version: 1;
  ageRecipient: string;
  signingPublicKey: string;
  storage: SecretStorage;
  createdAt: string;
}

export interface IdentitySecrets {
  ageIdentity: string;
  signingSecretKey: string;
}

export class IdentityError extends Error {
  constructor(
    readonly code: 'NO_IDENTITY' | 'EXISTS' | 'NO_KEYCHAIN' | 'SECRET_MISSING' | 'CORRUPT',
    message: string,
  ) {
    super(message);
    this.name = 'IdentityError';
  }
}

const PUBLIC_FILE = 'identity.json';
const AGE_KEY_FILE = 'identity.key';
const SIGNING_KEY_FILE = 'signing.key';

export function dmeHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.DME_HOME && env.DME_HOME.length > 0 ? env.DME_HOME : join(homedir(), '.dme');
}

const ageAccount = (recipient: string) => `age:${recipient}`;
const signingAccount = (publicKey: string) => `signing:${publicKey}`;

async function ensureHome(home: string): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  await chmod(home, 0o700);
}

async function writeText(path: string, text: string, mode: number): Promise<void> {
  await writeFileAtomically(
    path,
    async (out) => {
      out.end(text);
    },
    { mode },
  );
}

export async function loadPublicIdentity(home: string): Promise<PublicIdentity | null> {
  let text: string;
  try {
    text = await readFile(join(home, PUBLIC_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as PublicIdentity;
    if (parsed.version !== 1 || !parsed.ageRecipient || !parsed.signingPublicKey) throw new Error('fields');
    return parsed;
  } catch {
    throw new IdentityError('CORRUPT', `${join(home, PUBLIC_FILE)} is not a DME identity file`);
  }
}

export interface CreateOptions {
  storage?: SecretStorage | 'auto';
  force?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface Created {
  identity: PublicIdentity;
  /** Set when the secrets went to files because no keychain was usable. */
  warning?: string;
}

export async function createIdentity(home: string, options: CreateOptions = {}): Promise<Created> {
  const existing = await loadPublicIdentity(home);
  if (existing && !options.force) {
    throw new IdentityError('EXISTS', `an identity already exists in ${home} (use --force to replace it)`);
  }
  const wanted = options.storage ?? 'auto';
  const keychain = wanted === 'file' ? null : await openKeychain(options.env);
  if (wanted === 'keychain' && !keychain) {
    throw new IdentityError('NO_KEYCHAIN', 'no OS keychain is available here (no Secret Service); use --storage file');
  }
  const age = generateIdentity();
  const signing = await generateSigningKey();
  const createdAt = new Date().toISOString();
  await ensureHome(home);

  let warning: string | undefined;
  if (keychain) {
    await keychain.set(ageAccount(age.recipient), age.identity);
    await keychain.set(signingAccount(signing.publicKey), signing.secretKey);
  } else {
    await writeText(
      join(home, AGE_KEY_FILE),
      `# created: ${createdAt}\n# public key: ${age.recipient}\n${age.identity}\n`,
      0o600,
    );
    await writeText(join(home, SIGNING_KEY_FILE), `# public key: ${signing.publicKey}\n${signing.secretKey}\n`, 0o600);
    if (wanted === 'auto') {
      warning = `no OS keychain available: secret keys stored in ${home} (files readable only by you)`;
    }
  }
  const identity: PublicIdentity = {
    version: 1,
    ageRecipient: age.recipient,
    signingPublicKey: signing.publicKey,
    storage: keychain ? 'keychain' : 'file',
    createdAt,
  };
  await writeText(join(home, PUBLIC_FILE), `${JSON.stringify(identity, null, 2)}\n`, 0o644);
  if (existing && existing.storage === 'keychain' && keychain) {
    await keychain.delete(ageAccount(existing.ageRecipient)).catch(() => false);
    await keychain.delete(signingAccount(existing.signingPublicKey)).catch(() => false);
  }
  return warning ? { identity, warning } : { identity };
}

async function readSecretFile(path: string): Promise<string> {
  let text: string;
  try {
    const info = await stat(path);
    if ((info.mode & 0o077) !== 0) {
      // Like ssh: a secret others can read is not used silently.
      throw new IdentityError('CORRUPT', `${path} is accessible by other users; run: chmod 600 ${path}`);
    }
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof IdentityError) throw err;
    throw new IdentityError('SECRET_MISSING', `cannot read ${path}: ${(err as Error).message}`);
  }
  const line = text.split('\n').find((l) => l.trim() !== '' && !l.startsWith('#'));
  if (!line) throw new IdentityError('CORRUPT', `${path} holds no key`);
  return line.trim();
}

async function requireKeychain(env?: NodeJS.ProcessEnv): Promise<Keychain> {
  const keychain = await openKeychain(env);
  if (!keychain) throw new IdentityError('NO_KEYCHAIN', 'the identity is in the OS keychain, which is not available now');
  return keychain;
}

export async function loadSecrets(home: string, env?: NodeJS.ProcessEnv): Promise<{ identity: PublicIdentity; secrets: IdentitySecrets }> {
  const identity = await loadPublicIdentity(home);
  if (!identity) throw new IdentityError('NO_IDENTITY', `no identity in ${home}; run: dme identity create`);
  let ageIdentity: string | null;
  let signingSecretKey: string | null;
  if (identity.storage === 'keychain') {
    const keychain = await requireKeychain(env);
    ageIdentity = await keychain.get(ageAccount(identity.ageRecipient));
    signingSecretKey = await keychain.get(signingAccount(identity.signingPublicKey));
  } else {
    ageIdentity = parseIdentityFile(await readSecretFile(join(home, AGE_KEY_FILE)))[0] ?? null;
    signingSecretKey = await readSecretFile(join(home, SIGNING_KEY_FILE));
  }
  if (!ageIdentity || !signingSecretKey) {
    throw new IdentityError('SECRET_MISSING', 'the identity secret keys are missing from storage');
  }
  // A mismatched pair would make files the account cannot decrypt or signatures no one can verify.
  if (identityToRecipient(ageIdentity) !== identity.ageRecipient) {
    throw new IdentityError('CORRUPT', 'the stored age identity does not match identity.json');
  }
  if ((await signingPublicKey(signingSecretKey)) !== identity.signingPublicKey) {
    throw new IdentityError('CORRUPT', 'the stored signing key does not match identity.json');
  }
  return { identity, secrets: { ageIdentity, signingSecretKey } };
}
