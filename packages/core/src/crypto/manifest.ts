/**
 * @module crypto/manifest
 * Canonical encoding, signing and verification of release manifests
 * (spec/manifest.md is normative; the constants here are quoted there and a
 * test checks the spec's vectors against this code).
 *
 * Canonical form: RFC 8785 (JCS) restricted to objects, arrays, strings and
 * safe integers, so it is unambiguous and trivial: keys sorted by UTF-16 code
 * units, no whitespace, strings escaped as JSON.stringify does. Anything else
 * (floats, unsafe integers, booleans, null, undefined, lone surrogates) is
 * refused, never silently coerced.
 *
 * Signature input = UTF-8(MANIFEST_SIGNATURE_CONTEXT) || UTF-8(canonical JSON
 * of the manifest). The context string keeps a manifest signature from ever
 * being valid for any other message type signed by the same key.
 */
import { ManifestSchema, SignedManifestSchema, type Manifest, type SignedManifest } from '../protocol/manifest.js';
import { KeyFormatError, importSigningKey, sign, signingPublicKey, verify } from './ed25519.js';
import { utf8Encode } from './encoding.js';

export { fingerprint } from '../protocol/fingerprint.js';
/** Re-exported so `@dme/core/manifest` alone covers producing and checking signatures. */
export { generateSigningKey, signingPublicKey, type SigningKeyPair } from './ed25519.js';
export type { Manifest, SignedManifest };

export const MANIFEST_SIGNATURE_CONTEXT = 'dme-manifest-v1\n';

export type ManifestErrorCode =
  | 'NOT_CANONICAL'
  | 'MALFORMED'
  | 'INVALID_KEY'
  | 'KEY_MISMATCH'
  | 'BAD_SIGNATURE'
  | 'PAYLOAD_MISMATCH'
  | 'PLAINTEXT_MISMATCH';

export class ManifestError extends Error {
  constructor(
    readonly code: ManifestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ManifestError';
  }
}

/** Types the canonical form admits. */
export type CanonicalValue = string | number | CanonicalValue[] | { [key: string]: CanonicalValue };

const LONE_SURROGATE = /\p{Surrogate}/u;

function encodeValue(value: unknown, path: string): string {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) throw new ManifestError('NOT_CANONICAL', `${path}: string holds a lone surrogate`);
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new ManifestError('NOT_CANONICAL', `${path}: only safe integers are allowed, got ${value}`);
    return Object.is(value, -0) ? '0' : String(value);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => encodeValue(v, `${path}[${i}]`)).join(',')}]`;
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value);
    // Default sort compares UTF-16 code units, which is what RFC 8785 §3.2.3 asks for.
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${encodeValue(k, path)}:${encodeValue(v, `${path}.${k}`)}`).join(',')}}`;
  }
  const kind = value === null ? 'null' : typeof value;
  throw new ManifestError('NOT_CANONICAL', `${path}: ${kind} is not allowed (only objects, arrays, strings, safe integers)`);
}

/** Canonical JSON text of a value (see module doc). */
export function canonicalJson(value: unknown): string {
  return encodeValue(value, '$');
}

/** The exact bytes that are signed for a manifest. */
export function manifestSignatureInput(manifest: Manifest): Uint8Array {
  return utf8Encode(MANIFEST_SIGNATURE_CONTEXT + canonicalJson(manifest));
}

function parseManifest(value: unknown): Manifest {
  const parsed = ManifestSchema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ManifestError('MALFORMED', `invalid manifest at ${first?.path.join('.') || '$'}: ${first?.message ?? 'unknown'}`);
  }
  return parsed.data;
}

/**
 * Signs a manifest with the producer's secret key (`DME-ED25519-SECRET-1…`).
 * The manifest's producerKey must be the key's own public key.
 */
export async function signManifest(manifest: Manifest, secretKey: string): Promise<SignedManifest> {
  const m = parseManifest(manifest);
  let publicKey: string;
  let key: CryptoKey;
  try {
    publicKey = await signingPublicKey(secretKey);
    key = await importSigningKey(secretKey);
  } catch (err) {
    if (err instanceof KeyFormatError) throw new ManifestError('INVALID_KEY', err.message);
    throw err;
  }
  if (publicKey !== m.producerKey) {
    throw new ManifestError('KEY_MISMATCH', 'manifest.producerKey is not the public key of the signing key');
  }
  return { manifest: m, signature: await sign(manifestSignatureInput(m), key) };
}

/**
 * Verifies a signed manifest and returns the manifest. Throws ManifestError:
 * MALFORMED (shape), KEY_MISMATCH (producerKey is not `expectedPublicKey`),
 * BAD_SIGNATURE. Pass `expectedPublicKey` (the producer's key as the consumer
 * knows it) whenever possible: without it, the check only proves that the
 * manifest is self-consistent.
 */
export async function verifyManifest(signed: unknown, expectedPublicKey?: string): Promise<Manifest> {
  const shape = SignedManifestSchema.safeParse(signed);
  if (!shape.success) {
    const first = shape.error.issues[0];
    throw new ManifestError('MALFORMED', `invalid signed manifest at ${first?.path.join('.') || '$'}: ${first?.message ?? 'unknown'}`);
  }
  const { manifest, signature } = shape.data;
  if (expectedPublicKey !== undefined && manifest.producerKey !== expectedPublicKey) {
    throw new ManifestError('KEY_MISMATCH', 'the manifest is signed by a different key than the producer key expected');
  }
  let ok: boolean;
  try {
    ok = await verify(manifestSignatureInput(manifest), signature, manifest.producerKey);
  } catch (err) {
    if (err instanceof KeyFormatError) throw new ManifestError('BAD_SIGNATURE', err.message);
    throw err;
  }
  if (!ok) throw new ManifestError('BAD_SIGNATURE', 'the manifest signature does not verify');
  return manifest;
}

/** Boolean form of verifyManifest, for callers that only branch on it. */
export async function isManifestValid(signed: unknown, expectedPublicKey?: string): Promise<boolean> {
  try {
    await verifyManifest(signed, expectedPublicKey);
    return true;
  } catch (err) {
    if (err instanceof ManifestError) return false;
    throw err;
  }
}

/** What a verifier measured about the bytes it received. */
export interface MeasuredFile {
  size: number;
  sha256: string;
}

/**
 * Checks what a verifier measured against a verified manifest: the payload
 * before decrypting, the plaintext after. Throws PAYLOAD_MISMATCH or
 * PLAINTEXT_MISMATCH; the caller must then discard the bytes.
 */
export function checkMeasured(manifest: Manifest, part: 'payload' | 'plaintext', measured: MeasuredFile): void {
  const size = part === 'payload' ? manifest.payloadSize : manifest.plaintextSize;
  const sha256 = part === 'payload' ? manifest.payloadSha256 : manifest.plaintextSha256;
  const code = part === 'payload' ? 'PAYLOAD_MISMATCH' : 'PLAINTEXT_MISMATCH';
  if (measured.size !== size) throw new ManifestError(code, `${part} is ${measured.size} bytes, the manifest says ${size}`);
  if (measured.sha256.toLowerCase() !== sha256) throw new ManifestError(code, `${part} SHA-256 does not match the manifest`);
}
