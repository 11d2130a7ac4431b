/**
 * Canonical unpadded base64 (RFC 4648 §4 alphabet, no '='), as the age header uses it.
 *
 * Decoding is strict: any character outside the alphabet, any padding, and any
 * non-canonical encoding (non-zero trailing bits, impossible length) returns
 * null so the caller can raise the error that fits its context.
 */

const ALPHABET = /^[A-Za-z0-9+/]*$/;

export function encodeBase64NoPad(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64').replace(/=+$/, '');
}

export function decodeBase64NoPad(text: string): Uint8Array | null {
  if (!ALPHABET.test(text) || text.length % 4 === 1) return null;
  const bytes = Buffer.from(text, 'base64');
  // Re-encoding catches non-zero trailing bits, which Buffer silently drops.
  if (encodeBase64NoPad(bytes) !== text) return null;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
