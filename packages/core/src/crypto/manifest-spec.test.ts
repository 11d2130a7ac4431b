import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeSecretKey, generateSigningKey, signingPublicKey } from './ed25519.js';
import { fromHex, toHex, utf8Encode } from './encoding.js';
import { MANIFEST_SIGNATURE_CONTEXT, ManifestError, canonicalJson, signManifest, verifyManifest } from './manifest.js';
import { fingerprint } from '../protocol/fingerprint.js';

const spec = readFileSync(fileURLToPath(new URL('../../spec/manifest.md', import.meta.url)), 'utf8');

function block(kind: string): string {
  const m = spec.match(new RegExp('```' + kind + '\\n([\\s\\S]*?)\\n```'));
  if (!m?.[1]) throw new Error(`spec has no \`\`\`${kind} block`);
  return m[1];
}
const manifest = JSON.parse(block('json')) as Record<string, unknown>;
const vector = Object.fromEntries(
  block('vector')
    .split('\n')
    .map((line) => {
      const i = line.indexOf(': ');
      return [line.slice(0, i), line.slice(i + 2)] as const;
    }),
);
const negatives = block('vector-negative').split('\n');

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    if (err instanceof ManifestError) return err.code;
    throw err;
  }
}

describe('spec/manifest.md vectors', () => {
  it('the context constant is the one the spec names', () => {
    expect(toHex(utf8Encode(MANIFEST_SIGNATURE_CONTEXT))).toBe(vector['context-hex']);
    expect(spec).toContain(`"${MANIFEST_SIGNATURE_CONTEXT.trimEnd()}" || 0x0A`);
  });

  it('secret key, public key and fingerprints', async () => {
    const secret = encodeSecretKey(fromHex(vector['seed']!));
    expect(secret).toBe(vector['secret-key']);
    expect(await signingPublicKey(secret)).toBe(vector['public-key']);
    expect(fingerprint(vector['public-key']!)).toBe(vector['public-key-fingerprint']);
    expect(fingerprint(vector['age-recipient']!)).toBe(vector['age-recipient-fingerprint']);
  });

  it('canonical bytes and the deterministic signature', async () => {
    expect(canonicalJson(manifest)).toBe(vector['canonical']);
    const signed = await signManifest(manifest as never, vector['secret-key']!);
    expect(signed.signature).toBe(vector['signature']);
    await expect(verifyManifest({ manifest, signature: vector['signature'] }, vector['public-key'])).resolves.toEqual(manifest);
  });

  it('negative cases fail with the listed code', async () => {
    const other = await generateSigningKey();
    expect(negatives.length).toBeGreaterThanOrEqual(5);
    for (const line of negatives) {
      const [what, expected] = line.split(': ') as [string, string];
      let signed: unknown = { manifest, signature: vector['signature'] };
      let key = vector['public-key'];
      const field = what.match(/^(\w+)=(.*)$/);
      if (field) {
        const [, name, raw] = field as unknown as [string, string, string];
        const value = /^[0-9.]+$/.test(raw) ? Number(raw) : raw;
        signed = { manifest: { ...manifest, [name]: value }, signature: vector['signature'] };
      } else if (what.startsWith('extra member')) {
        signed = { manifest: { ...manifest, note: 'x' }, signature: vector['signature'] };
      } else if (what.startsWith('expected key')) {
        key = other.publicKey;
      } else {
        throw new Error(`unknown negative vector: ${line}`);
      }
      expect(await codeOf(verifyManifest(signed, key)), line).toBe(expected);
    }
  });
});
