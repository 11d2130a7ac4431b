/**
 * @module crypto/ed25519
 * Ed25519 signing keys as strings, on WebCrypto only (Node ≥ 20, workerd,
 * browsers). Formats (normative text in spec/manifest.md):
 *
 * - public key: `ed25519:` + unpadded base64url of the 32-byte key (43 chars);
 * - secret key: `DME-ED25519-SECRET-1…`, uppercase Bech32 (HRP
 *   `dme-ed25519-secret-`) of the 32-byte RFC 8032 seed, like age's
 *   `AGE-SECRET-KEY-1…`: checksummed, copy-paste safe, one line in a file;
 * - signature: `ed25519:` + unpadded base64url of the 64-byte signature.
 *
 * WebCrypto cannot import a raw Ed25519 seed, so the seed is wrapped in the
 * fixed RFC 8410 PKCS#8 prefix. Secret strings are parsed here and nowhere
 * else; bad strings throw KeyFormatError, never a bare WebCrypto error.
 */
import { bech32 } from '@scure/base';
import { ED25519_PUBLIC_KEY_PREFIX, isEd25519PublicKey } from '../protocol/common.js';
import { KeyFormatError } from '../protocol/fingerprint.js';
import { fromBase64Url, toBase64Url } from './encoding.js';

export { KeyFormatError };

export const ED25519_SECRET_KEY_HRP = 'dme-ed25519-secret-';
export const ED25519_SIGNATURE_PREFIX = 'ed25519:';
/** RFC 8410 PrivateKeyInfo header for an Ed25519 seed (OID 1.3.101.112). */
const PKCS8_ED25519_PREFIX = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
const ALG = { name: 'Ed25519' } as const;

export interface SigningKeyPair {
  /** `ed25519:<base64url>` */
  publicKey: string;
  /** `DME-ED25519-SECRET-1…` */
  secretKey: string;
}

const subtle = () => globalThis.crypto.subtle;
/** WebCrypto's types want an ArrayBuffer-backed view; copying small inputs is cheap. */
const own = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b);

/** Encodes a 32-byte seed as a secret key string. */
export function encodeSecretKey(seed: Uint8Array): string {
  if (seed.length !== 32) throw new KeyFormatError('an Ed25519 seed is 32 bytes');
  return bech32.encode(ED25519_SECRET_KEY_HRP, bech32.toWords(seed), false).toUpperCase();
}

/** Decodes `DME-ED25519-SECRET-1…` to its 32-byte seed. */
export function decodeSecretKey(secret: string): Uint8Array {
  const s = secret.trim();
  if (s !== s.toUpperCase()) throw new KeyFormatError('a signing secret key is uppercase (DME-ED25519-SECRET-1…)');
  try {
    const { prefix, words } = bech32.decode(s as `${string}1${string}`, false);
    const seed = bech32.fromWords(words);
    if (prefix === ED25519_SECRET_KEY_HRP && seed.length === 32) return seed;
  } catch {
    // fall through to the single error below: never echo secret material
  }
  throw new KeyFormatError('not a DME signing secret key (DME-ED25519-SECRET-1…)');
}

export function encodePublicKey(raw: Uint8Array): string {
  if (raw.length !== 32) throw new KeyFormatError('an Ed25519 public key is 32 bytes');
  return ED25519_PUBLIC_KEY_PREFIX + toBase64Url(raw);
}

export function decodePublicKey(key: string): Uint8Array {
  if (!isEd25519PublicKey(key)) throw new KeyFormatError('not an Ed25519 public key (ed25519:<43 base64url chars>)');
  return fromBase64Url(key.slice(ED25519_PUBLIC_KEY_PREFIX.length));
}

export function encodeSignature(raw: Uint8Array): string {
  if (raw.length !== 64) throw new KeyFormatError('an Ed25519 signature is 64 bytes');
  return ED25519_SIGNATURE_PREFIX + toBase64Url(raw);
}

export function decodeSignature(sig: string): Uint8Array {
  if (!/^ed25519:[A-Za-z0-9_-]{86}$/.test(sig)) throw new KeyFormatError('not an Ed25519 signature (ed25519:<86 base64url chars>)');
  try {
    return fromBase64Url(sig.slice(ED25519_SIGNATURE_PREFIX.length));
  } catch {
    throw new KeyFormatError('not an Ed25519 signature: non-canonical base64url');
  }
}

async function importSeed(seed: Uint8Array, extractable: boolean): Promise<CryptoKey> {
  const pkcs8 = new Uint8Array(PKCS8_ED25519_PREFIX.length + 32);
  pkcs8.set(PKCS8_ED25519_PREFIX);
  pkcs8.set(seed, PKCS8_ED25519_PREFIX.length);
  return subtle().importKey('pkcs8', pkcs8, ALG, extractable, ['sign']);
}

/** A fresh key pair from the platform CSPRNG. */
export async function generateSigningKey(): Promise<SigningKeyPair> {
  const seed = globalThis.crypto.getRandomValues(new Uint8Array(32));
  const secretKey = encodeSecretKey(seed);
  seed.fill(0);
  return { publicKey: await signingPublicKey(secretKey), secretKey };
}

/** The public key string of a secret key string. */
export async function signingPublicKey(secretKey: string): Promise<string> {
  const key = await importSeed(decodeSecretKey(secretKey), true);
  const jwk = await subtle().exportKey('jwk', key);
  if (typeof jwk.x !== 'string') throw new KeyFormatError('WebCrypto returned no Ed25519 public key');
  return encodePublicKey(fromBase64Url(jwk.x));
}

/** A non-extractable WebCrypto signing key. */
export async function importSigningKey(secretKey: string): Promise<CryptoKey> {
  return importSeed(decodeSecretKey(secretKey), false);
}

export async function importVerifyKey(publicKey: string): Promise<CryptoKey> {
  try {
    return await subtle().importKey('raw', own(decodePublicKey(publicKey)), ALG, false, ['verify']);
  } catch (err) {
    if (err instanceof KeyFormatError) throw err;
    throw new KeyFormatError('the Ed25519 public key was refused by WebCrypto');
  }
}

/** Signs bytes; returns `ed25519:<base64url>`. Ed25519 is deterministic. */
export async function sign(message: Uint8Array, secretKey: string | CryptoKey): Promise<string> {
  const key = typeof secretKey === 'string' ? await importSigningKey(secretKey) : secretKey;
  return encodeSignature(new Uint8Array(await subtle().sign(ALG, key, own(message))));
}

/** True iff `signature` is a valid signature of `message` by `publicKey`; throws only on malformed strings. */
export async function verify(message: Uint8Array, signature: string, publicKey: string | CryptoKey): Promise<boolean> {
  const key = typeof publicKey === 'string' ? await importVerifyKey(publicKey) : publicKey;
  return subtle().verify(ALG, key, own(decodeSignature(signature)), own(message));
}
