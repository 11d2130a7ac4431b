/**
 * Whole-file age encryption and decryption: header + payload, binary or armored.
 *
 * Neither function ends `output`: the caller owns it (the CLI writes to a temp
 * file, ends it and renames it only on success, so a failed decryption never
 * leaves a partial plaintext under the final name).
 */
import type { Writable } from 'node:stream';
import { armorWriter } from './armor.js';
import { AgeError } from './errors.js';
import { encodeHeader, randomFileKey, unwrapFileKey } from './filekey.js';
import { decodeIdentity, decodeRecipient } from './keys.js';
import { decryptPayload, encryptPayload, type PayloadOptions, type ResultFor } from './payload.js';
import { readHeader } from './reader.js';
import type { ByteSource } from './source.js';

export interface EncryptOptions extends PayloadOptions {
  /** Write ASCII armor instead of binary. Sizes and hashes in the result stay those of the binary payload. */
  armor?: boolean;
}

export interface DecryptOptions extends PayloadOptions {
  /** true: input must be armored; false: must be binary; default: detected from the first non-whitespace byte. */
  armor?: boolean;
}

export type EncryptResult<O = EncryptOptions> = ResultFor<O> & {
  fileKey: Uint8Array;
  header: Uint8Array;
};

function writeAll(output: Writable, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    output.write(bytes, (e) => (e ? reject(e) : resolve()));
  });
}

function endWritable(w: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    w.once('error', reject);
    w.end(() => resolve());
  });
}

/** Encrypts `input` to `recipients` as a standard age file written to `output`. */
export async function encrypt<O extends EncryptOptions>(input: ByteSource, output: Writable, recipients: string[], opts?: O): Promise<EncryptResult<O>> {
  if (recipients.length === 0) throw new AgeError('BAD_RECIPIENT', 'at least one recipient is required');
  recipients.forEach(decodeRecipient);
  const fileKey = randomFileKey();
  const header = encodeHeader(fileKey, recipients);
  const sink = opts?.armor ? armorWriter(output) : output;
  await writeAll(sink, header);
  const result = await encryptPayload(input, sink, fileKey, opts);
  if (opts?.armor) await endWritable(sink);
  return { ...result, fileKey, header };
}

/** Decrypts a binary or armored age file with any of `identities`. */
export async function decrypt<O extends DecryptOptions>(input: ByteSource, output: Writable, identities: string[], opts?: O): Promise<ResultFor<O>> {
  if (identities.length === 0) throw new AgeError('BAD_IDENTITY', 'at least one identity is required');
  identities.forEach(decodeIdentity);
  const { header, rest } = await readHeader(input, opts?.armor === undefined ? {} : { armor: opts.armor });
  let fileKey: Uint8Array;
  try {
    fileKey = unwrapFileKey(header, identities);
  } catch (e) {
    await rest.close?.();
    throw e;
  }
  return decryptPayload(rest, output, fileKey, opts);
}
