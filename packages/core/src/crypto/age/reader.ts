/**
 * Splitting an age file into its header and the rest (the payload), from a
 * stream, for binary and ASCII-armored input alike.
 *
 * Armor is detected by the first non-whitespace byte being '-' (a binary age
 * file starts with "age-encryption.org/"); armored input is dearmored as it
 * streams, so `rest` always yields binary payload bytes.
 */
import { dearmorStream } from './armor.js';
import { parseHeader } from './header.js';
import { ByteReader, type ByteSource, type DirectSource } from './source.js';

const DASH = 0x2d;
const isSpace = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

async function looksArmored(reader: ByteReader): Promise<boolean> {
  for (let want = 64; ; want *= 2) {
    const have = await reader.fill(want);
    const bytes = reader.peek(have);
    const i = bytes.findIndex((b) => !isSpace(b));
    if (i >= 0) return bytes[i] === DASH;
    if (have < want) return false;
  }
}

export interface SplitFile {
  /** The complete header, from the version line through the MAC line's LF. */
  header: Uint8Array;
  /**
   * The payload: 16-byte nonce then STREAM chunks (dearmored if the input was
   * armored). Iterable, or readable directly; close() it if you stop early.
   */
  rest: DirectSource;
}

/**
 * Reads the header of an age file. `opts.armor` forces (true) or rules out
 * (false) ASCII armor; by default it is detected. Throws BAD_HEADER / BAD_ARMOR; on error the
 * source is closed. Consume `rest` fully (or close() it) to release the source.
 */
export async function readHeader(source: ByteSource, opts: { armor?: boolean } = {}): Promise<SplitFile> {
  let reader = new ByteReader(source);
  try {
    if (opts.armor ?? (await looksArmored(reader))) reader = new ByteReader(dearmorStream(reader.rest()));
    for (let want = 4096; ; want *= 2) {
      const have = await reader.fill(want);
      const parsed = parseHeader(reader.peek(have), have < want);
      if (parsed) {
        const header = new Uint8Array(reader.peek(parsed.length));
        reader.skip(parsed.length);
        return { header, rest: reader.rest() };
      }
    }
  } catch (e) {
    await reader.close().catch(() => undefined);
    throw e;
  }
}
