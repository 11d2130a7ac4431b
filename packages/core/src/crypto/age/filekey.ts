/**
 * File keys and headers: creating a header for recipients, recovering the file
 * key from a header, and granting an existing file to one more recipient.
 *
 * In DME a key grant is a complete age header that wraps the file key for one
 * recipient; because the payload depends only on the file key, any grant plus
 * the single stored payload is a valid age file.
 */
import { randomBytes } from 'node:crypto';
import { FILE_KEY_SIZE, SCRYPT_STANZA_TYPE, X25519_STANZA_TYPE } from './constants.js';
import { AgeError } from './errors.js';
import { parseCompleteHeader, serializeHeader, verifyHeaderMac } from './header.js';
import { decodeIdentity, decodeRecipient } from './keys.js';
import { toX25519Identity, unwrapX25519, validateX25519Stanza, wrapX25519 } from './x25519.js';

export function randomFileKey(): Uint8Array {
  return new Uint8Array(randomBytes(FILE_KEY_SIZE));
}

export function assertFileKey(fileKey: Uint8Array): void {
  if (!(fileKey instanceof Uint8Array) || fileKey.length !== FILE_KEY_SIZE) {
    throw new AgeError('BAD_ARGUMENT', `file key must be ${FILE_KEY_SIZE} bytes`);
  }
}

/** A complete header (version line, one X25519 stanza per recipient, MAC line, LF). */
export function encodeHeader(fileKey: Uint8Array, recipients: string[]): Uint8Array {
  assertFileKey(fileKey);
  if (recipients.length === 0) throw new AgeError('BAD_RECIPIENT', 'at least one recipient is required');
  // Decode all first so a bad recipient fails before any work.
  const points = recipients.map(decodeRecipient);
  return serializeHeader(fileKey, points.map((p) => wrapX25519(fileKey, p)));
}

/**
 * Recovers the file key from a complete header and verifies the header MAC.
 * Throws BAD_HEADER (malformed), NO_MATCH (no stanza for these identities) or
 * BAD_HEADER_MAC (key found, header altered).
 */
export function unwrapFileKey(header: Uint8Array, identities: string[]): Uint8Array {
  if (identities.length === 0) throw new AgeError('BAD_IDENTITY', 'at least one identity is required');
  const keys = identities.map((i) => toX25519Identity(decodeIdentity(i)));
  const parsed = parseCompleteHeader(header);
  const types = parsed.stanzas.map((s) => s.args[0]);
  if (types.includes(SCRYPT_STANZA_TYPE)) {
    // The spec requires a passphrase stanza to be alone; DME never uses passphrases.
    if (parsed.stanzas.length !== 1) throw new AgeError('BAD_HEADER', 'scrypt stanza mixed with other stanzas');
    throw new AgeError('NO_MATCH', 'file is passphrase-encrypted; DME supports X25519 identities only');
  }
  for (const stanza of parsed.stanzas) {
    if (stanza.args[0] !== X25519_STANZA_TYPE) continue; // other recipient types are ignored, as the spec requires
    const share = validateX25519Stanza(stanza);
    for (const key of keys) {
      const fileKey = unwrapX25519(stanza, share, key);
      if (fileKey) {
        verifyHeaderMac(fileKey, parsed);
        return fileKey;
      }
    }
  }
  throw new AgeError('NO_MATCH', 'no recipient stanza in the header matches the given identities');
}

/** Rewraps the file key of `existingHeader` for `newRecipient` alone (a DME key grant). */
export function grantHeader(existingHeader: Uint8Array, identities: string[], newRecipient: string): Uint8Array {
  const point = decodeRecipient(newRecipient);
  const fileKey = unwrapFileKey(existingHeader, identities);
  return serializeHeader(fileKey, [wrapX25519(fileKey, point)]);
}
