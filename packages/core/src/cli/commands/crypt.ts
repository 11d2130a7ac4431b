/**
 * @module cli/commands/crypt
 * `dme encrypt` and `dme decrypt`: age v1 files, interoperable with the `age`
 * command. Decrypt verifies every STREAM chunk before writing it and writes
 * through a temporary file, so a corrupt, truncated or foreign file leaves
 * nothing at the output path.
 */
import { readFile } from 'node:fs/promises';
import { decrypt, encrypt, isRecipient, parseIdentityFile } from '../../crypto/age/index.js';
import { parse, onePositional } from '../args.js';
import { CliError, UsageError } from '../errors.js';
import { openInput, withOutput, type Io } from '../io.js';

export const ENCRYPT_USAGE = 'dme encrypt -r RECIPIENT [-r RECIPIENT…] [-a] [-o OUTPUT] FILE|-';
export const DECRYPT_USAGE = 'dme decrypt [-i IDENTITY_FILE…] [-o OUTPUT] FILE|-';

export const ENCRYPT_HELP = `Encrypt a file to one or more age recipients (age v1 format).

usage: ${ENCRYPT_USAGE}

  -r, --recipient age1…   encrypt to this recipient (repeatable)
  -R, --recipients-file F  read recipients from F, one per line
  -a, --armor             write ASCII-armored output
  -o, --output PATH       write here (atomically) instead of stdout

The result decrypts with \`age -d -i key.txt\` and \`dme decrypt\`.`;

export const DECRYPT_HELP = `Decrypt an age v1 file (binary or armored).

usage: ${DECRYPT_USAGE}

  -i, --identity FILE   an age identity file (repeatable); default: your DME identity
  -o, --output PATH     write here (atomically) instead of stdout

Nothing is written to PATH unless the whole file decrypts and authenticates.`;

async function recipientsFrom(values: { recipient?: string[]; 'recipients-file'?: string[] }): Promise<string[]> {
  const recipients = [...(values.recipient ?? [])];
  for (const file of values['recipients-file'] ?? []) {
    const text = await readFile(file, 'utf8').catch((err: Error) => {
      throw new CliError(`cannot read recipients file ${file}: ${err.message}`);
    });
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line && !line.startsWith('#')) recipients.push(line);
    }
  }
  if (recipients.length === 0) throw new UsageError(`at least one recipient is required\nusage: ${ENCRYPT_USAGE}`);
  for (const r of recipients) {
    if (!isRecipient(r)) throw new UsageError(`not an age X25519 recipient: ${r.slice(0, 80)}`);
  }
  return recipients;
}

export async function encryptCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      recipient: { type: 'string', short: 'r', multiple: true },
      'recipients-file': { type: 'string', short: 'R', multiple: true },
      armor: { type: 'boolean', short: 'a' },
      output: { type: 'string', short: 'o' },
    },
    ENCRYPT_USAGE,
  );
  const file = onePositional(positionals, 'input FILE (or - for stdin)', ENCRYPT_USAGE);
  const recipients = await recipientsFrom(values);
  if (!values.output && !values.armor && io.stdout.isTTY) {
    throw new UsageError('refusing to write binary output to a terminal; use -o FILE or --armor');
  }
  const input = await openInput(io, file);
  // No digests: nothing here reports them, and hashing costs more CPU than the cipher. This thread
  // has nothing else to do meanwhile, so it processes batches too.
  await withOutput(io, values.output, (out) => encrypt(input, out, recipients, { armor: values.armor ?? false, digests: false, shareThread: true }), {
    durable: false,
  });
  return 0;
}

async function identitiesFrom(files: string[] | undefined, io: Io): Promise<string[]> {
  if (!files || files.length === 0) {
    // Loaded only here: the key store pulls in the protocol schemas (zod, ~100 modules), which
    // cost every encrypt and every decrypt with -i ~0.1 s of start-up for nothing.
    const { dmeHome, loadSecrets } = await import('../../identity/store.js');
    const { secrets } = await loadSecrets(dmeHome(io.env), io.env);
    return [secrets.ageIdentity];
  }
  const identities: string[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((err: Error) => {
      throw new CliError(`cannot read identity file ${file}: ${err.message}`);
    });
    const found = parseIdentityFile(text);
    if (found.length === 0) throw new CliError(`${file} contains no age identity`);
    identities.push(...found);
  }
  return identities;
}

export async function decryptCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      identity: { type: 'string', short: 'i', multiple: true },
      output: { type: 'string', short: 'o' },
      decrypt: { type: 'boolean', short: 'd' },
    },
    DECRYPT_USAGE,
  );
  const file = onePositional(positionals, 'input FILE (or - for stdin)', DECRYPT_USAGE);
  const identities = await identitiesFrom(values.identity, io);
  const input = await openInput(io, file);
  await withOutput(io, values.output, (out) => decrypt(input, out, identities, { digests: false, shareThread: true }), { durable: false });
  return 0;
}
