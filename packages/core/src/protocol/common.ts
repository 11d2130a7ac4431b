/**
 * @module protocol/common
 * String formats shared by every protocol model: ids, timestamps, slugs, key
 * strings, checksums and cursor pagination. Each format has exactly one
 * canonical spelling, so two parties comparing strings compare values
 * (recipients and keys are lowercase/unpadded; timestamps are UTC `Z`).
 * Web-standard only: this folder runs on workerd and in browsers.
 */
import { z } from 'zod';
import { base64url, bech32 } from '@scure/base';

/** Opaque hub-issued id: UUIDs, ULIDs and prefixed ids (`acc_…`) all fit. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const IdSchema = z.string().regex(ID_PATTERN, 'must be an id: 1-64 of [A-Za-z0-9_-], not starting with _ or -');
export type Id = z.infer<typeof IdSchema>;

/** ISO 8601 UTC timestamp with `Z`, e.g. 2025-01-27T14:00:00Z or …00.123Z. */
export const TimestampSchema = z.iso.datetime({ offset: false });
export type Timestamp = z.infer<typeof TimestampSchema>;

/** URL-safe lowercase name: `phone-numbers-us`. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SlugSchema = z.string().min(1).max(64).regex(SLUG_PATTERN, 'must be a slug: lowercase letters, digits and single hyphens');
export type Slug = z.infer<typeof SlugSchema>;

/** Lowercase hex SHA-256 digest (64 chars). */
export const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256 digest');
/** The DME seed's checksum spelling: `sha256:<64 lowercase hex>`. */
export const ChecksumSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 lowercase hex>');

/** Non-negative integer that survives JSON round-trips exactly. */
export const SafeUintSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** Human-readable schema version chosen by the producer, e.g. `v2.1`. */
export const SchemaVersionSchema = z.string().min(1).max(32).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a version label like v2.1');

export const AGE_RECIPIENT_HRP = 'age';
/**
 * True for a canonical age X25519 recipient: lowercase Bech32, HRP `age`,
 * 32-byte key. Plugin recipients (`age1yubikey1…`) are not accepted: every
 * DME account has an X25519 identity.
 */
export function isAgeRecipient(s: string): boolean {
  if (!s.startsWith('age1') || s !== s.toLowerCase()) return false;
  try {
    const { prefix, words } = bech32.decode(s as `${string}1${string}`);
    return prefix === AGE_RECIPIENT_HRP && bech32.fromWords(words).length === 32;
  } catch {
    return false;
  }
}
export const AgeRecipientSchema = z.string().refine(isAgeRecipient, 'must be an age X25519 recipient (age1…, lowercase Bech32)');
export type AgeRecipient = z.infer<typeof AgeRecipientSchema>;

export const ED25519_PUBLIC_KEY_PREFIX = 'ed25519:';
/** True for `ed25519:` + unpadded base64url of exactly 32 bytes (43 chars). */
export function isEd25519PublicKey(s: string): boolean {
  if (!s.startsWith(ED25519_PUBLIC_KEY_PREFIX)) return false;
  const body = s.slice(ED25519_PUBLIC_KEY_PREFIX.length);
  if (!/^[A-Za-z0-9_-]{43}$/.test(body)) return false;
  try {
    // Decoding also rejects non-zero trailing bits, so the spelling is unique.
    return base64url.decode(body + '=').length === 32;
  } catch {
    return false;
  }
}
export const Ed25519PublicKeySchema = z.string().refine(isEd25519PublicKey, 'must be an Ed25519 public key: ed25519:<43 base64url chars>');
export type Ed25519PublicKey = z.infer<typeof Ed25519PublicKeySchema>;

/** `ed25519:` + unpadded base64url of a 64-byte signature (86 chars). */
export const Ed25519SignatureSchema = z.string().regex(/^ed25519:[A-Za-z0-9_-]{86}$/, 'must be an Ed25519 signature: ed25519:<86 base64url chars>');
export type Ed25519Signature = z.infer<typeof Ed25519SignatureSchema>;

/** Standard base64 with padding (used for age headers in key grants). */
export const Base64Schema = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be standard padded base64');

export const PAGE_LIMIT_DEFAULT = 50;
export const PAGE_LIMIT_MAX = 200;
/** Query of a cursor-paginated list; `limit` arrives as a query string. */
export const PageQuerySchema = z.object({
  cursor: z.string().min(1).max(512).optional(),
  limit: z.coerce.number().int().min(1).max(PAGE_LIMIT_MAX).default(PAGE_LIMIT_DEFAULT),
});
export type PageQuery = z.infer<typeof PageQuerySchema>;

/** A page of items; `nextCursor` is null on the last page. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
export type Page<T> = { items: T[]; nextCursor: string | null };
