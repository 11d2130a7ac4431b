/**
 * @module exchange/age-header
 * Structural check of a key grant: the base64 text must decode to exactly
 * one age v1 header (age-encryption.org/v1 spec, "Header"): the version
 * line, one X25519 stanza (one 43-char base64 argument, a body of 32 bytes in
 * 64-column lines ending with a short line), and the MAC line, then nothing.
 * The hub cannot open a grant (it holds no identity); this only guarantees
 * that what it hands a consumer is well formed and wraps for one recipient.
 */
const VERSION_LINE = 'age-encryption.org/v1';
const B64_NOPAD = /^[A-Za-z0-9+/]*$/;
const COLUMNS = 64;

export class AgeHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgeHeaderError';
  }
}

/** Canonical unpadded base64 → length of the decoded bytes, or -1 if not canonical. */
function decodedLength(s: string): number {
  if (!B64_NOPAD.test(s) || s.length % 4 === 1) return -1;
  const bytes = Math.floor((s.length * 3) / 4);
  // Non-zero trailing bits would give the same bytes two spellings.
  const last = s.length % 4 === 0 ? -1 : 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.indexOf(s.at(-1)!);
  if (s.length % 4 === 2 && (last & 0x0f) !== 0) return -1;
  if (s.length % 4 === 3 && (last & 0x03) !== 0) return -1;
  return bytes;
}

function decodeBase64Padded(text: string): string {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new AgeHeaderError('grant header is not valid base64');
  }
  return binary;
}

/** Throws AgeHeaderError unless `base64` holds exactly one well-formed single-recipient X25519 age header. */
export function checkGrantHeader(base64: string): void {
  // Headers are ASCII; atob gives one char per byte, which is all we need.
  const text = decodeBase64Padded(base64);
  if (!text.endsWith('\n')) throw new AgeHeaderError('age header must end with a newline after the MAC');
  const lines = text.slice(0, -1).split('\n');
  if (lines[0] !== VERSION_LINE) throw new AgeHeaderError(`age header must start with "${VERSION_LINE}"`);
  let i = 1;
  let x25519 = 0;
  while (i < lines.length && lines[i]!.startsWith('-> ')) {
    const args = lines[i]!.slice(3).split(' ');
    if (args[0] !== 'X25519') throw new AgeHeaderError(`grant stanza must be X25519, got ${JSON.stringify(args[0]?.slice(0, 20))}`);
    if (args.length !== 2 || decodedLength(args[1]!) !== 32) throw new AgeHeaderError('X25519 stanza needs one base64 argument of 32 bytes');
    i++;
    let body = 0;
    for (;;) {
      const line = lines[i];
      if (line === undefined) throw new AgeHeaderError('stanza body is cut off');
      const n = decodedLength(line);
      if (n < 0 || line.length > COLUMNS) throw new AgeHeaderError('stanza body must be canonical base64 in 64-column lines');
      body += n;
      i++;
      if (line.length < COLUMNS) break;
    }
    if (body !== 32) throw new AgeHeaderError('X25519 stanza body must wrap a 16-byte file key (32 bytes)');
    x25519++;
  }
  if (x25519 !== 1) throw new AgeHeaderError(`a grant wraps the file key for one recipient: found ${x25519} X25519 stanzas`);
  const mac = lines[i];
  if (mac === undefined || !mac.startsWith('--- ') || decodedLength(mac.slice(4)) !== 32) throw new AgeHeaderError('age header must end with "--- <32-byte MAC>"');
  if (i !== lines.length - 1) throw new AgeHeaderError('unexpected data after the age header MAC');
}
