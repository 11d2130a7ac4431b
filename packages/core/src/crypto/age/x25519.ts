/**
 * The X25519 recipient stanza: wrapping a file key for an `age1…` recipient and
 * unwrapping it with an `AGE-SECRET-KEY-1…` identity (c2sp.org/age, "The X25519
 * recipient type").
 *
 * Invariant: a fresh ephemeral secret per stanza; a malformed X25519 stanza is a
 * header error (never skipped), an authentication failure just means "not ours".
 */
import { createCipheriv, createDecipheriv, createPublicKey, generateKeyPairSync, hkdfSync, type KeyObject } from 'node:crypto';
import { decodeBase64NoPad, encodeBase64NoPad } from './base64.js';
import { FILE_KEY_SIZE, TAG_SIZE, X25519_INFO, X25519_KEY_SIZE, X25519_STANZA_TYPE } from './constants.js';
import { AgeError } from './errors.js';
import type { Stanza } from './header.js';
import { rawPublicKey, x25519 } from './keys.js';

const ZERO_NONCE = new Uint8Array(12);
const WRAPPED_KEY_SIZE = FILE_KEY_SIZE + TAG_SIZE;

function wrapKey(shared: Uint8Array, share: Uint8Array, recipient: Uint8Array): Buffer {
  const salt = Buffer.concat([share, recipient]);
  return Buffer.from(hkdfSync('sha256', shared, salt, X25519_INFO, 32));
}

export function wrapX25519(fileKey: Uint8Array, recipient: Uint8Array): Stanza {
  const { privateKey: ephemeral, publicKey } = generateKeyPairSync('x25519');
  const share = rawPublicKey(publicKey);
  const shared = x25519(ephemeral, recipient);
  if (!shared) throw new AgeError('BAD_RECIPIENT', 'recipient is a low-order point');
  const cipher = createCipheriv('chacha20-poly1305', wrapKey(shared, share, recipient), ZERO_NONCE, { authTagLength: TAG_SIZE });
  const body = Buffer.concat([cipher.update(fileKey), cipher.final(), cipher.getAuthTag()]);
  return { args: [X25519_STANZA_TYPE, encodeBase64NoPad(share)], body: new Uint8Array(body) };
}

/** A decoded identity with its public point, which the wrap-key salt needs. */
export interface X25519Identity {
  secret: KeyObject;
  point: Uint8Array;
}

export function toX25519Identity(secret: KeyObject): X25519Identity {
  return { secret, point: rawPublicKey(createPublicKey(secret)) };
}

/** Checks the stanza shape the spec mandates; returns the ephemeral share. */
export function validateX25519Stanza(stanza: Stanza): Uint8Array {
  if (stanza.args.length !== 2) throw new AgeError('BAD_HEADER', 'X25519 stanza must have exactly one argument after the type');
  const share = decodeBase64NoPad(stanza.args[1] ?? '');
  if (!share || share.length !== X25519_KEY_SIZE) throw new AgeError('BAD_HEADER', 'X25519 stanza share is not 32 bytes of canonical base64');
  // Checked before decrypting to avoid partitioning oracles.
  if (stanza.body.length !== WRAPPED_KEY_SIZE) throw new AgeError('BAD_HEADER', 'X25519 stanza body is not a 16-byte wrapped file key');
  return share;
}

/** Returns the file key, or null if this stanza is not addressed to `identity`. */
export function unwrapX25519(stanza: Stanza, share: Uint8Array, identity: X25519Identity): Uint8Array | null {
  const shared = x25519(identity.secret, share);
  if (!shared) throw new AgeError('BAD_HEADER', 'X25519 stanza share is a low-order point');
  const decipher = createDecipheriv('chacha20-poly1305', wrapKey(shared, share, identity.point), ZERO_NONCE, {
    authTagLength: TAG_SIZE,
  });
  decipher.setAuthTag(stanza.body.subarray(FILE_KEY_SIZE));
  const fileKey = decipher.update(stanza.body.subarray(0, FILE_KEY_SIZE));
  try {
    decipher.final();
  } catch {
    return null;
  }
  return new Uint8Array(fileKey);
}
