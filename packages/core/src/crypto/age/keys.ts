/**
 * X25519 identities and recipients: generation, Bech32 encoding, key-file parsing,
 * and the raw X25519 function on top of node:crypto.
 *
 * Identities are `AGE-SECRET-KEY-1…` (upper case), recipients `age1…`, both
 * Bech32 without the BIP173 length limit. Secrets never appear in error messages.
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { bech32 } from '@scure/base';
import { BECH32_LIMIT, IDENTITY_HRP, RECIPIENT_HRP, X25519_KEY_SIZE } from './constants.js';
import { AgeError } from './errors.js';

// DER prefixes that turn 32 raw bytes into PKCS#8 / SPKI X25519 keys (RFC 8410).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export function privateKeyObject(secret: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secret]), format: 'der', type: 'pkcs8' });
}

export function publicKeyObject(point: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, point]), format: 'der', type: 'spki' });
}

export function rawPublicKey(key: KeyObject): Uint8Array {
  const der = key.export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - X25519_KEY_SIZE));
}

function rawPrivateKey(key: KeyObject): Uint8Array {
  const der = key.export({ format: 'der', type: 'pkcs8' });
  return new Uint8Array(der.subarray(der.length - X25519_KEY_SIZE));
}

/**
 * X25519(secret, point). Returns null when the result is all zeros (a low-order
 * point), which the age spec requires the caller to treat as an error.
 */
export function x25519(secret: KeyObject, point: Uint8Array): Uint8Array | null {
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: secret, publicKey: publicKeyObject(point) });
  } catch {
    // OpenSSL refuses to return the all-zero shared secret.
    return null;
  }
  return shared.every((b) => b === 0) ? null : new Uint8Array(shared);
}

function decodeBech32(text: string, hrp: string): Uint8Array | null {
  try {
    const { prefix, words } = bech32.decode(text, BECH32_LIMIT);
    if (prefix !== hrp.toLowerCase()) return null;
    const bytes = bech32.fromWords(words);
    return bytes.length === X25519_KEY_SIZE ? bytes : null;
  } catch {
    return null;
  }
}

/** Decodes an `age1…` recipient to its 32-byte X25519 point. */
export function decodeRecipient(recipient: string): Uint8Array {
  // Recipients are lower case by convention; bech32 would also accept all upper case.
  const point = recipient.startsWith(`${RECIPIENT_HRP}1`) ? decodeBech32(recipient, RECIPIENT_HRP) : null;
  if (!point) throw new AgeError('BAD_RECIPIENT', `not an age X25519 recipient: ${JSON.stringify(recipient.slice(0, 80))}`);
  return point;
}

/** Decodes an `AGE-SECRET-KEY-1…` identity to a private KeyObject. */
export function decodeIdentity(identity: string): KeyObject {
  const secret = identity.startsWith(`${IDENTITY_HRP}1`) ? decodeBech32(identity, IDENTITY_HRP) : null;
  if (!secret) throw new AgeError('BAD_IDENTITY', 'not an age X25519 identity (expected AGE-SECRET-KEY-1…)');
  return privateKeyObject(secret);
}

export function encodeRecipient(point: Uint8Array): string {
  return bech32.encode(RECIPIENT_HRP, bech32.toWords(point), BECH32_LIMIT);
}

function encodeIdentity(secret: Uint8Array): string {
  return bech32.encode(IDENTITY_HRP, bech32.toWords(secret), BECH32_LIMIT).toUpperCase();
}

export function isRecipient(s: string): boolean {
  return s.startsWith(`${RECIPIENT_HRP}1`) && decodeBech32(s, RECIPIENT_HRP) !== null;
}

export function isIdentity(s: string): boolean {
  return s.startsWith(`${IDENTITY_HRP}1`) && decodeBech32(s, IDENTITY_HRP) !== null;
}

export function generateIdentity(): { identity: string; recipient: string } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return { identity: encodeIdentity(rawPrivateKey(privateKey)), recipient: encodeRecipient(rawPublicKey(publicKey)) };
}

export function identityToRecipient(identity: string): string {
  return encodeRecipient(rawPublicKey(createPublicKey(decodeIdentity(identity))));
}

/**
 * Parses the age key-file format: one identity per line, '#' comments and blank
 * lines ignored, CRLF tolerated. Any other line is an error, and so is a file with
 * no identity, so a wrong file is never mistaken for "no keys".
 */
export function parseIdentityFile(text: string): string[] {
  const identities: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!isIdentity(line)) throw new AgeError('BAD_IDENTITY', `identity file line ${i + 1} is not an age X25519 identity`);
    identities.push(line);
  }
  if (identities.length === 0) throw new AgeError('BAD_IDENTITY', 'identity file contains no identity');
  return identities;
}
