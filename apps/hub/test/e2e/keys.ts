/**
 * Real account keys for the seeded accounts (an age recipient and an
 * Ed25519 signing key), from @dme/core's own crypto sources.
 */
const core = new URL('../../../../packages/core/src/crypto/', import.meta.url);
export const age = (await import(new URL('age/index.ts', core).href)) as { generateIdentity(): { identity: string; recipient: string } };
const signing = (await import(new URL('ed25519.ts', core).href)) as { generateSigningKey(): Promise<{ publicKey: string; secretKey: string }> };
export const signingKeys = () => signing.generateSigningKey();
