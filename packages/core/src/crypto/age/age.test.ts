/**
 * Behaviour of the public API in-process: keys, headers, grants, payload
 * hashing, backpressure, armor detection, and the error code of each failure.
 */
import { describe, it, expect } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { decrypt, encrypt } from './age.js';
import { armor, dearmor } from './armor.js';
import { AgeError, type AgeErrorCode } from './errors.js';
import { encodeHeader, grantHeader, randomFileKey, unwrapFileKey } from './filekey.js';
import { generateIdentity, identityToRecipient, isIdentity, isRecipient, parseIdentityFile } from './keys.js';
import { decryptPayload, encryptPayload } from './payload.js';
import { readHeader } from './reader.js';
import type { DirectSource } from './source.js';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A Writable that keeps what it receives, optionally slowly, and records its peak buffer. */
function collector(delayMs = 0) {
  const parts: Buffer[] = [];
  let peak = 0;
  const stream = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, cb) {
      parts.push(chunk);
      peak = Math.max(peak, stream.writableLength);
      if (delayMs > 0) setTimeout(cb, delayMs);
      else cb();
    },
  });
  return { stream, bytes: () => Buffer.concat(parts), peak: () => peak };
}

async function* chunks(bytes: Uint8Array, size = 10_000): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function code(p: Promise<unknown> | (() => unknown)): Promise<AgeErrorCode | 'resolved'> {
  try {
    await (typeof p === 'function' ? p() : p);
    return 'resolved';
  } catch (e) {
    if (e instanceof AgeError) return e.code;
    throw e;
  }
}

async function sealed(plain: Uint8Array, recipients: string[], opts: { armor?: boolean; parallel?: boolean } = {}) {
  const out = collector();
  const r = await encrypt(chunks(plain), out.stream, recipients, opts);
  return { file: out.bytes(), ...r };
}

const alice = generateIdentity();
const bob = generateIdentity();

describe('keys', () => {
  it('generates matching, distinct identity/recipient pairs', () => {
    expect(alice.identity).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
    expect(alice.recipient).toMatch(/^age1[0-9a-z]{58}$/);
    expect(identityToRecipient(alice.identity)).toBe(alice.recipient);
    expect(alice.identity).not.toBe(bob.identity);
    expect(isIdentity(alice.identity) && isRecipient(alice.recipient)).toBe(true);
    expect(isIdentity(alice.recipient) || isRecipient(alice.identity)).toBe(false);
    // Change the last character (part of the Bech32 checksum) to a different one.
    const other = alice.recipient.endsWith('q') ? 'p' : 'q';
    expect(isRecipient(`${alice.recipient.slice(0, -1)}${other}`)).toBe(false); // checksum
  });

  it('parses key files with comments, blanks and CRLF, and rejects junk', () => {
    const text = `# created: now\r\n# public key: ${alice.recipient}\r\n${alice.identity}\r\n\n  ${bob.identity}\n`;
    expect(parseIdentityFile(text)).toEqual([alice.identity, bob.identity]);
    expect(() => parseIdentityFile('# only a comment\n')).toThrow(AgeError);
    expect(() => parseIdentityFile(`${alice.identity}\nnot-a-key\n`)).toThrow(/line 2/);
  });

  it('bad keys get typed errors', async () => {
    expect(await code(() => identityToRecipient('AGE-SECRET-KEY-1XYZ'))).toBe('BAD_IDENTITY');
    expect(await code(() => encodeHeader(randomFileKey(), ['age1notakey']))).toBe('BAD_RECIPIENT');
    expect(await code(() => encodeHeader(randomFileKey(), [alice.identity]))).toBe('BAD_RECIPIENT');
    expect(await code(() => encodeHeader(new Uint8Array(15), [alice.recipient]))).toBe('BAD_ARGUMENT');
    expect(await code(encrypt(chunks(new Uint8Array(1)), collector().stream, []))).toBe('BAD_RECIPIENT');
    expect(await code(decrypt(chunks(new Uint8Array(1)), collector().stream, [alice.recipient]))).toBe('BAD_IDENTITY');
  });
});

describe('headers and grants', () => {
  it('wraps one file key for several recipients; each unwraps it', () => {
    const fileKey = randomFileKey();
    const header = encodeHeader(fileKey, [alice.recipient, bob.recipient]);
    expect(Buffer.from(header).toString('latin1')).toMatch(/^age-encryption\.org\/v1\n(-> X25519 \S{43}\n\S{43}\n){2}--- \S{43}\n$/);
    expect(unwrapFileKey(header, [bob.identity])).toEqual(fileKey);
    expect(unwrapFileKey(header, [generateIdentity().identity, alice.identity])).toEqual(fileKey);
  });

  it('grants rewrap the same key for exactly one new recipient', async () => {
    const fileKey = randomFileKey();
    const header = encodeHeader(fileKey, [alice.recipient]);
    const grant = grantHeader(header, [alice.identity], bob.recipient);
    expect(unwrapFileKey(grant, [bob.identity])).toEqual(fileKey);
    expect(await code(() => unwrapFileKey(grant, [alice.identity]))).toBe('NO_MATCH');
    expect(await code(() => grantHeader(header, [bob.identity], bob.recipient))).toBe('NO_MATCH');
  });

  it('classifies header damage', async () => {
    const header = Buffer.from(encodeHeader(randomFileKey(), [alice.recipient]));
    const text = header.toString('latin1');
    const macAt = text.indexOf('--- ') + 4;
    const flip = (at: number): Buffer => {
      const copy = Buffer.from(header);
      copy[at] = copy[at] === 0x41 ? 0x42 : 0x41;
      return copy;
    };
    expect(await code(() => unwrapFileKey(flip(macAt + 5), [alice.identity]))).toBe('BAD_HEADER_MAC');
    expect(await code(() => unwrapFileKey(flip(text.indexOf('X25519') + 12), [alice.identity]))).toBe('NO_MATCH');
    expect(await code(() => unwrapFileKey(flip(3), [alice.identity]))).toBe('BAD_HEADER');
    expect(await code(() => unwrapFileKey(header.subarray(0, header.length - 1), [alice.identity]))).toBe('BAD_HEADER');
    expect(await code(() => unwrapFileKey(Buffer.concat([header, Buffer.from('x')]), [alice.identity]))).toBe('BAD_HEADER');
    expect(await code(() => unwrapFileKey(header, [bob.identity]))).toBe('NO_MATCH');
  });
});

describe('payload', () => {
  it('hashes plaintext and payload while streaming, in both engines, and reports progress', async () => {
    const plain = randomBytes(3 * 1024 * 1024 + 99);
    const fileKey = randomFileKey();
    for (const parallel of [false, true]) {
      const enc = collector();
      const seen: number[] = [];
      const r = await encryptPayload(chunks(plain, 100_000), enc.stream, fileKey, { parallel, onProgress: (n) => seen.push(n) });
      const payload = enc.bytes();
      expect(r).toEqual({ plaintextBytes: plain.length, plaintextSha256: sha256(plain), payloadBytes: payload.length, payloadSha256: sha256(payload) });
      expect(seen.at(-1)).toBe(plain.length);
      expect(seen.every((n, i) => i === 0 || n >= (seen[i - 1] as number))).toBe(true);
      const dec = collector();
      const back = await decryptPayload(chunks(payload, 77_777), dec.stream, fileKey, { parallel });
      expect(back).toEqual(r);
      expect(dec.bytes().equals(plain)).toBe(true);
    }
  });

  it('honours output backpressure instead of buffering', async () => {
    const plain = randomBytes(8 * 1024 * 1024);
    const fileKey = randomFileKey();
    const slow = collector(1);
    await encryptPayload(chunks(plain, 1 << 20), slow.stream, fileKey, { parallel: true });
    // One batch (16 chunks) at most sits in the writable's buffer.
    expect(slow.peak()).toBeLessThanOrEqual(16 * (65536 + 16));
    expect(slow.bytes().length).toBe(16 + plain.length + 128 * 16);
  });

  it('rejects corruption, truncation and trailing data with the right code', async () => {
    const plain = randomBytes(5 * 65536 + 10);
    const fileKey = randomFileKey();
    const enc = collector();
    await encryptPayload(chunks(plain), enc.stream, fileKey);
    const payload = enc.bytes();
    const run = async (bytes: Uint8Array, parallel: boolean) => {
      const out = collector();
      const c = await code(decryptPayload(chunks(bytes), out.stream, fileKey, { parallel }));
      return { c, released: out.bytes() };
    };
    for (const parallel of [false, true]) {
      const corrupt = Buffer.from(payload);
      corrupt[16 + 2 * 65552 + 100] ^= 1; // inside chunk 2
      const bad = await run(corrupt, parallel);
      expect(bad.c).toBe('BAD_PAYLOAD');
      // Chunks 0 and 1 verified before chunk 2 failed; nothing after them was released.
      expect(bad.released.equals(plain.subarray(0, 2 * 65536))).toBe(true);
      expect((await run(payload.subarray(0, 16 + 3 * 65552), parallel)).c).toBe('TRUNCATED');
      expect((await run(payload.subarray(0, payload.length - 5), parallel)).c).toBe('BAD_PAYLOAD');
      expect((await run(payload.subarray(0, 16 + 8), parallel)).c).toBe('TRUNCATED');
      expect((await run(payload.subarray(0, 16), parallel)).c).toBe('TRUNCATED');
      expect((await run(payload.subarray(0, 9), parallel)).c).toBe('TRUNCATED');
      expect((await run(Buffer.concat([payload, Buffer.from([0])]), parallel)).c).toBe('BAD_PAYLOAD');
      expect((await run(payload, parallel)).c).toBe('resolved');
    }
    expect(await code(decryptPayload(chunks(payload), collector().stream, randomFileKey()))).toBe('BAD_PAYLOAD');
  });
});

describe('whole files', () => {
  it('decrypts binary and armored files, detecting armor by itself', async () => {
    const plain = randomBytes(100_000);
    const bin = await sealed(plain, [alice.recipient]);
    const arm = await sealed(plain, [alice.recipient], { armor: true });
    const text = arm.file.toString('latin1');
    expect(text.startsWith('-----BEGIN AGE ENCRYPTED FILE-----\n') && text.endsWith('-----END AGE ENCRYPTED FILE-----\n')).toBe(true);
    expect(Buffer.from(dearmor(text)).subarray(0, arm.header.length).equals(arm.header)).toBe(true);
    for (const file of [bin.file, arm.file, Buffer.from(`\r\n \t\n${text.replaceAll('\n', '\r\n')}\n\n`, 'latin1')]) {
      const out = collector();
      const r = await decrypt(chunks(file, 333), out.stream, [bob.identity, alice.identity]);
      expect(out.bytes().equals(plain)).toBe(true);
      expect(r.plaintextSha256).toBe(sha256(plain));
    }
    // Armored and binary encryption report the same binary payload size.
    expect(arm.payloadBytes).toBe(bin.payloadBytes);
  });

  it('wrong key, damaged armor and non-age input get typed errors', async () => {
    const plain = randomBytes(1000);
    const bin = await sealed(plain, [alice.recipient]);
    const arm = (await sealed(plain, [alice.recipient], { armor: true })).file.toString('latin1');
    expect(await code(decrypt(chunks(bin.file), collector().stream, [bob.identity]))).toBe('NO_MATCH');
    expect(await code(decrypt(chunks(Buffer.from(arm.replace('\n', '\n\n'))), collector().stream, [alice.identity]))).toBe('BAD_ARMOR');
    expect(await code(decrypt(chunks(Buffer.from(`${arm}junk`)), collector().stream, [alice.identity]))).toBe('BAD_ARMOR');
    expect(() => dearmor(arm.replace('-----END', '-----end'))).toThrow(AgeError);
    expect(await code(decrypt(chunks(Buffer.from('hello, world\n')), collector().stream, [alice.identity]))).toBe('BAD_HEADER');
    expect(await code(decrypt(chunks(new Uint8Array(0)), collector().stream, [alice.identity]))).toBe('BAD_HEADER');
    expect(await code(readHeader(chunks(bin.file.subarray(0, 40))))).toBe('BAD_HEADER');
  });

  it('releases the input when decryption stops early', async () => {
    const bin = await sealed(randomBytes(300_000), [alice.recipient]);
    const stream = Readable.from([bin.file.subarray(0, 1000), bin.file.subarray(1000)]);
    expect(await code(decrypt(stream, collector().stream, [bob.identity]))).toBe('NO_MATCH');
    expect(stream.destroyed).toBe(true);
    let closed = 0;
    let offset = 0;
    const direct: DirectSource = {
      async read(target, at, length) {
        const n = Math.min(length, bin.file.length - offset);
        target.set(bin.file.subarray(offset, offset + n), at);
        offset += n;
        return n;
      },
      async close() {
        closed++;
      },
      async *[Symbol.asyncIterator]() {},
    };
    expect(await code(decrypt(direct, collector().stream, [bob.identity]))).toBe('NO_MATCH');
    expect(closed).toBeGreaterThan(0);
    expect(offset).toBeLessThan(bin.file.length);
  });

  it('armor() and dearmor() round-trip every length modulo 48', () => {
    for (let n = 0; n < 100; n++) {
      const bytes = randomBytes(n);
      const text = armor(bytes);
      expect(text.split('\n').every((l) => l.length <= 64)).toBe(true);
      expect(Buffer.from(dearmor(text)).equals(bytes)).toBe(true);
    }
  });
});
