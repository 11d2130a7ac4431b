import { describe, expect, it } from 'vitest';
import { FormatError } from './errors.js';
import { Utf8Decoder } from './utf8.js';

function decodeIn(bytes: Uint8Array, size: number): string {
  const d = new Utf8Decoder();
  let out = '';
  for (let i = 0; i < bytes.length; i += size) out += d.decode(bytes.subarray(i, i + size));
  return out + d.end();
}

describe('Utf8Decoder', () => {
  const text = '\uFEFFa€b𝄞c — 東京\n';
  const bytes = new TextEncoder().encode(text);

  it.each([1, 2, 3, 4, 5, 64])('decodes 1- to 4-byte characters split at any boundary and drops the BOM (%i)', (size) => {
    expect(decodeIn(bytes, size)).toBe(text.slice(1));
  });

  it('keeps a U+FEFF that is not at the start', () => {
    expect(decodeIn(new TextEncoder().encode('a\uFEFF'), 1)).toBe('a\uFEFF');
  });

  it('refuses invalid bytes and a sequence cut off by the end of input', () => {
    expect(() => decodeIn(Uint8Array.from([0x61, 0xff, 0x62]), 64)).toThrow(FormatError);
    expect(() => decodeIn(Uint8Array.from([0x61, 0xe6, 0x9d]), 1)).toThrow(/not valid UTF-8/);
    expect(() => decodeIn(Uint8Array.from([0xc3, 0x28]), 1)).toThrow(FormatError);
  });
});
