/**
 * The age v1 header as bytes: strict parsing, serialisation and the header MAC.
 *
 * Parsing follows the ABNF of c2sp.org/age exactly (LF only, single spaces,
 * canonical unpadded base64, 64-column stanza bodies ending in a short line), so
 * a header that parses re-serialises to the same bytes. The parser is
 * incremental: it tells a streaming reader whether it needs more bytes.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { decodeBase64NoPad, encodeBase64NoPad } from './base64.js';
import {
  AGE_VERSION_LINE,
  HEADER_MAC_INFO,
  HEADER_MAC_SIZE,
  MAC_LINE_MARK,
  MAX_HEADER_SIZE,
  STANZA_COLUMNS,
  STANZA_PREFIX,
} from './constants.js';
import { AgeError } from './errors.js';

export interface Stanza {
  /** args[0] is the stanza type, e.g. 'X25519'. */
  args: string[];
  body: Uint8Array;
}

export interface ParsedHeader {
  stanzas: Stanza[];
  mac: Uint8Array;
  /** The header bytes the MAC covers: everything up to and including '---'. */
  macInput: Uint8Array;
  /** Length in bytes of the whole header, including the MAC line's LF. */
  length: number;
}

const LF = 0x0a;
const VERSION_PREFIX = Buffer.from(`${AGE_VERSION_LINE}\n`, 'latin1');
const ARGUMENT = /^[\x21-\x7e]+$/;
const BODY_LINE = /^[A-Za-z0-9+/]*$/;

function bad(message: string): AgeError {
  return new AgeError('BAD_HEADER', message);
}

/**
 * Parses the header at the start of `buf`. Returns null when `buf` holds a valid
 * but incomplete prefix and `eof` is false (the caller reads more). Throws
 * BAD_HEADER as soon as a complete line is invalid, at EOF inside the header, or
 * when the header would exceed MAX_HEADER_SIZE.
 */
export function parseHeader(buf: Uint8Array, eof: boolean): ParsedHeader | null {
  const prefixLen = Math.min(buf.length, VERSION_PREFIX.length);
  if (!Buffer.from(buf.buffer, buf.byteOffset, prefixLen).equals(VERSION_PREFIX.subarray(0, prefixLen))) {
    const line = Buffer.from(buf.buffer, buf.byteOffset, Math.min(buf.length, 40)).toString('latin1');
    throw bad(line.startsWith('age-encryption.org/') ? 'unsupported age version' : 'not an age file (bad version line)');
  }
  let pos = VERSION_PREFIX.length;
  const stanzas: Stanza[] = [];
  let current: { args: string[]; lines: string[] } | null = null;
  for (;;) {
    const end = buf.indexOf(LF, pos);
    if (end < 0) {
      if (buf.length > MAX_HEADER_SIZE) throw bad(`header larger than ${MAX_HEADER_SIZE} bytes`);
      if (eof) throw bad(buf.length === 0 ? 'empty input is not an age file' : 'input ends inside the age header');
      return null;
    }
    const line = Buffer.from(buf.buffer, buf.byteOffset + pos, end - pos).toString('latin1');
    if (current) {
      if (line.length > STANZA_COLUMNS || !BODY_LINE.test(line)) throw bad('malformed stanza body line');
      current.lines.push(line);
      if (line.length < STANZA_COLUMNS) {
        const body = decodeBase64NoPad(current.lines.join(''));
        if (!body) throw bad('stanza body is not canonical base64');
        stanzas.push({ args: current.args, body });
        current = null;
      }
    } else if (line.startsWith(STANZA_PREFIX)) {
      const args = line.slice(STANZA_PREFIX.length).split(' ');
      if (!args.every((a) => ARGUMENT.test(a))) throw bad('malformed stanza arguments');
      current = { args, lines: [] };
    } else if (line.startsWith(MAC_LINE_MARK)) {
      if (stanzas.length === 0) throw bad('header has no recipient stanza');
      const encoded = line.slice(MAC_LINE_MARK.length);
      const mac = encoded.startsWith(' ') ? decodeBase64NoPad(encoded.slice(1)) : null;
      if (!mac || mac.length !== HEADER_MAC_SIZE) throw bad('malformed header MAC line');
      return { stanzas, mac, macInput: buf.subarray(0, pos + MAC_LINE_MARK.length), length: end + 1 };
    } else {
      throw bad('unexpected line in header');
    }
    pos = end + 1;
  }
}

/** Parses a buffer that must hold exactly one complete header and nothing else. */
export function parseCompleteHeader(header: Uint8Array): ParsedHeader {
  const parsed = parseHeader(header, true);
  if (!parsed) throw bad('incomplete header');
  if (parsed.length !== header.length) throw bad('unexpected bytes after the header MAC line');
  return parsed;
}

function headerMac(fileKey: Uint8Array, macInput: Uint8Array): Buffer {
  const key = Buffer.from(hkdfSync('sha256', fileKey, new Uint8Array(0), HEADER_MAC_INFO, 32));
  return createHmac('sha256', key).update(macInput).digest();
}

export function verifyHeaderMac(fileKey: Uint8Array, parsed: ParsedHeader): void {
  if (!timingSafeEqual(headerMac(fileKey, parsed.macInput), parsed.mac)) {
    throw new AgeError('BAD_HEADER_MAC', 'header MAC does not verify (header modified or wrong file key)');
  }
}

function stanzaText(stanza: Stanza): string {
  const b64 = encodeBase64NoPad(stanza.body);
  const lines: string[] = [];
  // Always emit a final short line, empty if the body fills whole lines.
  for (let i = 0; i <= b64.length; i += STANZA_COLUMNS) lines.push(b64.slice(i, i + STANZA_COLUMNS));
  return `${STANZA_PREFIX}${stanza.args.join(' ')}\n${lines.join('\n')}\n`;
}

/** Serialises stanzas into a complete, MACed header (ending in LF). */
export function serializeHeader(fileKey: Uint8Array, stanzas: Stanza[]): Uint8Array {
  const macInput = Buffer.from(`${AGE_VERSION_LINE}\n${stanzas.map(stanzaText).join('')}${MAC_LINE_MARK}`, 'latin1');
  const mac = encodeBase64NoPad(headerMac(fileKey, macInput));
  return new Uint8Array(Buffer.concat([macInput, Buffer.from(` ${mac}\n`, 'latin1')]));
}
