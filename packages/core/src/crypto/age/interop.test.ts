/**
 * Interoperability with the reference `age` CLI (/usr/bin/age, Debian 1.1.1),
 * both directions, real files, including DME key grants.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { decrypt, encrypt } from './age.js';
import { grantHeader, unwrapFileKey } from './filekey.js';
import { identityToRecipient, parseIdentityFile } from './keys.js';
import { readHeader } from './reader.js';
import { openFileSource } from './source.js';

const AGE = '/usr/bin/age';
let dir: string;
const keys: { file: string; identity: string; recipient: string }[] = [];

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const path = (name: string): string => join(dir, name);

async function encryptFile(src: string, dst: string, recipients: string[], opts: { armor?: boolean; parallel?: boolean } = {}) {
  const out = createWriteStream(dst);
  const r = await encrypt(createReadStream(src), out, recipients, opts);
  out.end();
  await finished(out);
  return r;
}

async function decryptFile(src: string, dst: string, identities: string[], opts: { parallel?: boolean } = {}) {
  const out = createWriteStream(dst);
  try {
    return await decrypt(createReadStream(src), out, identities, opts);
  } finally {
    out.end();
    await finished(out);
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dme-age-interop-'));
  for (let i = 0; i < 3; i++) {
    const file = path(`key${i}.txt`);
    execFileSync('/usr/bin/age-keygen', ['-o', file], { stdio: 'ignore' });
    const [identity] = parseIdentityFile(readFileSync(file, 'utf8'));
    const recipient = execFileSync('/usr/bin/age-keygen', ['-y', file]).toString().trim();
    keys.push({ file, identity: identity as string, recipient });
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SIZES = [0, 1, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 5 * 1024 * 1024 + 12345];

describe('interop with age 1.1.1', () => {
  it('derives the same recipient as age-keygen', () => {
    for (const k of keys) expect(identityToRecipient(k.identity)).toBe(k.recipient);
  });

  it.each(SIZES)('age encrypts, we decrypt: %i bytes', async (size) => {
    const plain = randomBytes(size);
    writeFileSync(path('p.bin'), plain);
    execFileSync(AGE, ['-r', keys[0]!.recipient, '-o', path('p.age'), path('p.bin')]);
    const file = readFileSync(path('p.age'));
    for (const parallel of [false, true]) {
      const r = await decryptFile(path('p.age'), path('p.out'), [keys[0]!.identity], { parallel });
      expect(readFileSync(path('p.out')).equals(plain)).toBe(true);
      expect(r.plaintextBytes).toBe(size);
      expect(r.plaintextSha256).toBe(sha256(plain));
      const { header } = await readHeader(createReadStream(path('p.age')));
      expect(r.payloadBytes).toBe(file.length - header.length);
      expect(r.payloadSha256).toBe(sha256(file.subarray(header.length)));
    }
  });

  it.each(SIZES)('we encrypt, age decrypts: %i bytes', async (size) => {
    const plain = randomBytes(size);
    writeFileSync(path('q.bin'), plain);
    for (const parallel of [false, true]) {
      const r = await encryptFile(path('q.bin'), path('q.age'), [keys[1]!.recipient], { parallel });
      const file = readFileSync(path('q.age'));
      expect(Buffer.from(file.subarray(0, r.header.length)).equals(r.header)).toBe(true);
      expect(r.payloadBytes).toBe(file.length - r.header.length);
      expect(r.payloadSha256).toBe(sha256(file.subarray(r.header.length)));
      expect(r.plaintextSha256).toBe(sha256(plain));
      // STREAM size: nonce, then each 64 KiB chunk plus tag; an empty plaintext is one empty chunk.
      expect(r.payloadBytes).toBe(16 + size + 16 * Math.max(1, Math.ceil(size / 65536)));
      const out = execFileSync(AGE, ['-d', '-i', keys[1]!.file, path('q.age')], { maxBuffer: 64 << 20 });
      expect(out.equals(plain)).toBe(true);
    }
  });

  it('file sources read straight into the pipeline, both ways', async () => {
    const plain = randomBytes(6 * 1024 * 1024 + 5);
    writeFileSync(path('f.bin'), plain);
    const out = createWriteStream(path('f.age'));
    const source = await openFileSource(path('f.bin'));
    expect(source.size).toBe(plain.length);
    const r = await encrypt(source, out, [keys[0]!.recipient]);
    out.end();
    await finished(out);
    expect(r.plaintextSha256).toBe(sha256(plain));
    expect(execFileSync(AGE, ['-d', '-i', keys[0]!.file, path('f.age')], { maxBuffer: 64 << 20 }).equals(plain)).toBe(true);
    const back = createWriteStream(path('f.out'));
    const d = await decrypt(await openFileSource(path('f.age')), back, [keys[0]!.identity], { parallel: true });
    back.end();
    await finished(back);
    expect(d).toEqual({ plaintextBytes: r.plaintextBytes, plaintextSha256: r.plaintextSha256, payloadBytes: r.payloadBytes, payloadSha256: r.payloadSha256 });
    expect(readFileSync(path('f.out')).equals(plain)).toBe(true);
    // Iterating a file source yields the file's bytes too.
    const parts: Uint8Array[] = [];
    for await (const chunk of await openFileSource(path('f.bin'))) parts.push(chunk);
    expect(Buffer.concat(parts).equals(plain)).toBe(true);
  });

  it('armor both ways', async () => {
    const plain = randomBytes(200_000);
    writeFileSync(path('a.bin'), plain);
    await encryptFile(path('a.bin'), path('a.age'), [keys[0]!.recipient], { armor: true });
    expect(readFileSync(path('a.age'), 'latin1').startsWith('-----BEGIN AGE ENCRYPTED FILE-----\n')).toBe(true);
    expect(execFileSync(AGE, ['-d', '-i', keys[0]!.file, path('a.age')], { maxBuffer: 8 << 20 }).equals(plain)).toBe(true);
    execFileSync(AGE, ['-a', '-r', keys[0]!.recipient, '-o', path('b.age'), path('a.bin')]);
    const r = await decryptFile(path('b.age'), path('b.out'), [keys[0]!.identity]);
    expect(r.plaintextSha256).toBe(sha256(plain));
    expect(readFileSync(path('b.out')).equals(plain)).toBe(true);
  });

  it('multiple recipients both ways', async () => {
    const plain = randomBytes(300_000);
    writeFileSync(path('m.bin'), plain);
    await encryptFile(path('m.bin'), path('m.age'), keys.map((k) => k.recipient));
    for (const k of keys) {
      expect(execFileSync(AGE, ['-d', '-i', k.file, path('m.age')], { maxBuffer: 8 << 20 }).equals(plain)).toBe(true);
    }
    execFileSync(AGE, ['-r', keys[0]!.recipient, '-r', keys[2]!.recipient, '-o', path('n.age'), path('m.bin')]);
    const r = await decryptFile(path('n.age'), path('n.out'), [keys[1]!.identity, keys[2]!.identity]);
    expect(r.plaintextSha256).toBe(sha256(plain));
  });

  it('a grant header plus the original payload decrypts with age under the new key', async () => {
    const [producer, consumer] = [keys[0]!, keys[2]!];
    const plain = randomBytes(3 * 65536 + 7);
    writeFileSync(path('g.bin'), plain);
    const r = await encryptFile(path('g.bin'), path('g.age'), [producer.recipient]);
    const payload = readFileSync(path('g.age')).subarray(r.header.length);
    const grant = grantHeader(r.header, [producer.identity], consumer.recipient);
    expect(Buffer.from(unwrapFileKey(grant, [consumer.identity])).equals(Buffer.from(r.fileKey))).toBe(true);
    writeFileSync(path('g2.age'), Buffer.concat([grant, payload]));
    expect(execFileSync(AGE, ['-d', '-i', consumer.file, path('g2.age')], { maxBuffer: 8 << 20 }).equals(plain)).toBe(true);
    // The grant is for the consumer alone.
    expect(() => execFileSync(AGE, ['-d', '-i', producer.file, path('g2.age')], { stdio: 'pipe' })).toThrow(/no identity matched/);
  });
});
