/**
 * @module crypto/encoding
 * Byte/string encodings used by DME's key, signature and grant strings. One
 * spelling each: base64 is standard and padded (age headers in grants),
 * base64url is unpadded (keys, signatures), hex is lowercase (digests).
 * Decoders reject non-canonical input (wrong alphabet, bad padding, non-zero
 * trailing bits) with EncodingError rather than guessing. Web-standard only.
 */
import { base64, base64urlnopad, hex } from '@scure/base';

export class EncodingError extends Error {
  readonly code = 'INVALID_ENCODING';
  constructor(message: string) {
    super(message);
    this.name = 'EncodingError';
  }
}

function decodeWith(name: string, decode: (s: string) => Uint8Array, s: string): Uint8Array {
  try {
    return decode(s);
  } catch (err) {
    throw new EncodingError(`invalid ${name}: ${(err as Error).message}`);
  }
}

export const toBase64 = (bytes: Uint8Array): string => base64.encode(bytes);
export const fromBase64 = (s: string): Uint8Array => decodeWith('base64', base64.decode, s);

export const toBase64Url = (bytes: Uint8Array): string => base64urlnopad.encode(bytes);
export const fromBase64Url = (s: string): Uint8Array => decodeWith('base64url', base64urlnopad.decode, s);

export const toHex = (bytes: Uint8Array): string => hex.encode(bytes);
export const fromHex = (s: string): Uint8Array => {
  if (s !== s.toLowerCase()) throw new EncodingError('invalid hex: must be lowercase');
  return decodeWith('hex', hex.decode, s);
};

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
export const utf8Encode = (s: string): Uint8Array => encoder.encode(s);
export const utf8Decode = (bytes: Uint8Array): string => {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new EncodingError('invalid UTF-8');
  }
};

/** Constant-time equality of two byte arrays (length is not secret). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
