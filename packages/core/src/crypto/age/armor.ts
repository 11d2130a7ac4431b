/**
 * ASCII armor: the strict PEM encoding (RFC 7468 §3) of an age file, label
 * "AGE ENCRYPTED FILE", padded base64 at exactly 64 columns.
 *
 * Decoding is strict because armor is otherwise malleable: only whitespace is
 * allowed before BEGIN and after END, LF or CRLF line ends, every body line but
 * the last exactly 64 columns, the last 1–64 columns, canonical padding, no
 * headers, no checksum line. Decoding streams line by line.
 */
import { Writable } from 'node:stream';
import { ARMOR_BEGIN, ARMOR_COLUMNS, ARMOR_END } from './constants.js';
import { AgeError } from './errors.js';

const FULL_LINE = /^[A-Za-z0-9+/]{64}$/;
const LAST_LINE = /^[A-Za-z0-9+/]*={0,2}$/;
const WHITESPACE = /^[ \t\r\n]*$/;
/** Longest line we buffer while looking for a newline (BEGIN/END lines plus CR). */
const MAX_LINE = 80;

function bad(message: string): AgeError {
  return new AgeError('BAD_ARMOR', message);
}

export function armor(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const lines = [ARMOR_BEGIN];
  for (let i = 0; i < b64.length; i += ARMOR_COLUMNS) lines.push(b64.slice(i, i + ARMOR_COLUMNS));
  lines.push(ARMOR_END);
  return `${lines.join('\n')}\n`;
}

function decodeLastLine(line: string): Buffer {
  if (line.length === 0 || line.length > ARMOR_COLUMNS) throw bad('last armor line must have 1 to 64 columns');
  if (line.length % 4 !== 0 || !LAST_LINE.test(line)) throw bad('armor base64 is not canonical (bad character or padding)');
  const bytes = Buffer.from(line, 'base64');
  if (bytes.toString('base64') !== line) throw bad('armor base64 is not canonical');
  return bytes;
}

/**
 * Line-at-a-time armor decoder. Feed complete lines (without LF) with `line`,
 * then call `end` at EOF. One body line is held back, since only END reveals
 * which line was the last.
 */
export class ArmorDecoder {
  private state: 'lead' | 'body' | 'trail' = 'lead';
  private held: string | null = null;

  line(raw: string): Uint8Array {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    switch (this.state) {
      case 'lead':
        if (WHITESPACE.test(raw)) return new Uint8Array(0);
        if (line !== ARMOR_BEGIN) throw bad('armored input must start with the BEGIN AGE ENCRYPTED FILE line');
        this.state = 'body';
        return new Uint8Array(0);
      case 'body': {
        if (line === ARMOR_END) {
          this.state = 'trail';
          const last = this.held === null ? new Uint8Array(0) : decodeLastLine(this.held);
          this.held = null;
          return last;
        }
        const prev = this.held;
        this.held = line;
        if (prev === null) return new Uint8Array(0);
        if (!FULL_LINE.test(prev)) throw bad('armor line is not 64 base64 columns');
        return Buffer.from(prev, 'base64');
      }
      case 'trail':
        if (!WHITESPACE.test(raw)) throw bad('unexpected data after the END AGE ENCRYPTED FILE line');
        return new Uint8Array(0);
    }
  }

  end(): void {
    if (this.state === 'lead') throw bad('no armored age file found');
    if (this.state === 'body') throw bad('armor has no END AGE ENCRYPTED FILE line');
  }
}

/** Decodes a complete armored age file. */
export function dearmor(text: string): Uint8Array {
  const decoder = new ArmorDecoder();
  const parts = text.split('\n').map((l) => decoder.line(l));
  decoder.end();
  return new Uint8Array(Buffer.concat(parts));
}

/** Streaming dearmor: yields decoded bytes as armor lines arrive. */
export async function* dearmorStream(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const decoder = new ArmorDecoder();
  let partial = '';
  for await (const chunk of source) {
    const text = partial + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    // Whitespace runs can be long before BEGIN / after END; anything else on one line cannot.
    if (partial.length > MAX_LINE) {
      if (!WHITESPACE.test(partial)) throw bad('armor line too long');
      partial = ' '; // still whitespace, without holding an unbounded run of it
    }
    const out = lines.map((l) => decoder.line(l)).filter((b) => b.length > 0);
    if (out.length > 0) yield new Uint8Array(Buffer.concat(out));
  }
  const tail = decoder.line(partial);
  decoder.end();
  if (tail.length > 0) yield tail;
}

/** Bytes per full armor line (64 base64 columns). */
const LINE_BYTES = (ARMOR_COLUMNS / 4) * 3;

/**
 * A Writable that armors what is written to it into `output` (BEGIN line first,
 * END line on end()). Honours `output`'s backpressure; does not end `output`.
 */
export function armorWriter(output: Writable): Writable {
  let carry = Buffer.alloc(0);
  let begun = false;
  const push = (text: string, cb: (e?: Error | null) => void): void => {
    if (output.write(text)) cb();
    else output.once('drain', () => cb());
  };
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      const data = Buffer.concat([carry, chunk]);
      const whole = data.length - (data.length % LINE_BYTES);
      carry = Buffer.from(data.subarray(whole));
      const b64 = data.subarray(0, whole).toString('base64');
      let text = begun ? '' : `${ARMOR_BEGIN}\n`;
      begun = true;
      for (let i = 0; i < b64.length; i += ARMOR_COLUMNS) text += `${b64.slice(i, i + ARMOR_COLUMNS)}\n`;
      push(text, cb);
    },
    final(cb) {
      const tail = carry.length > 0 ? `${carry.toString('base64')}\n` : '';
      push(`${begun ? '' : `${ARMOR_BEGIN}\n`}${tail}${ARMOR_END}\n`, cb);
    },
  });
}
