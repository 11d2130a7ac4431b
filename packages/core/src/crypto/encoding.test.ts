import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { EncodingError, bytesEqual, fromBase64, fromBase64Url, fromHex, toBase64, toBase64Url, toHex, utf8Decode, utf8Encode } from './encoding.js';

describe('encoding', () => {
  it('round-trips and matches Buffer for every length 0..70', () => {
    for (let n = 0; n <= 70; n++) {
      const b = randomBytes(n);
      expect(toBase64(b)).toBe(b.toString('base64'));
      expect(toBase64Url(b)).toBe(b.toString('base64url'));
      expect(toHex(b)).toBe(b.toString('hex'));
      expect(bytesEqual(fromBase64(toBase64(b)), b)).toBe(true);
      expect(bytesEqual(fromBase64Url(toBase64Url(b)), b)).toBe(true);
      expect(bytesEqual(fromHex(toHex(b)), b)).toBe(true);
    }
  });

  it('rejects non-canonical input with EncodingError', () => {
    for (const [fn, bad] of [
      [fromBase64, 'AAA'],
      [fromBase64, 'AA-_'],
      [fromBase64Url, 'AA=='],
      [fromBase64Url, 'AB'], // non-zero trailing bits
      [fromHex, 'ABCD'],
      [fromHex, 'abc'],
      [fromHex, 'zz'],
    ] as const) {
      expect(() => fn(bad), bad).toThrow(EncodingError);
    }
    expect(() => utf8Decode(new Uint8Array([0xff]))).toThrow(EncodingError);
    expect(utf8Decode(utf8Encode('é€😀'))).toBe('é€😀');
    expect(bytesEqual(new Uint8Array([1]), new Uint8Array([1, 2]))).toBe(false);
  });
});
