/**
 * Labels and sizes of the age v1 format (c2sp.org/age), named once.
 *
 * packages/core/spec/age.md refers to these by name; a change here is a change
 * to the wire format and breaks interoperability with `age`.
 */

/** First line of every v1 header. */
export const AGE_VERSION_LINE = 'age-encryption.org/v1';
/** HKDF info for the X25519 stanza wrap key. */
export const X25519_INFO = 'age-encryption.org/v1/X25519';
/** First argument of an X25519 recipient stanza. */
export const X25519_STANZA_TYPE = 'X25519';
/** First argument of a passphrase stanza; DME never writes or unwraps these. */
export const SCRYPT_STANZA_TYPE = 'scrypt';
/** HKDF info for the header MAC key (salt empty). */
export const HEADER_MAC_INFO = 'header';
/** HKDF info for the payload key (salt = payload nonce). */
export const PAYLOAD_KEY_INFO = 'payload';

/** Stanza line prefix, MAC line prefix (the MAC covers the header up to and including '---'). */
export const STANZA_PREFIX = '-> ';
export const MAC_LINE_MARK = '---';

export const FILE_KEY_SIZE = 16;
export const X25519_KEY_SIZE = 32;
export const HEADER_MAC_SIZE = 32;
/** Stanza bodies are base64 wrapped at this many columns; a shorter line ends the body. */
export const STANZA_COLUMNS = 64;
/** Refuse headers larger than this instead of buffering without bound. */
export const MAX_HEADER_SIZE = 1024 * 1024;

/** The payload starts with this many random bytes, the HKDF salt of the payload key. */
export const PAYLOAD_NONCE_SIZE = 16;
export const PAYLOAD_KEY_SIZE = 32;
/** STREAM plaintext chunk size (64 KiB) and Poly1305 tag size. */
export const CHUNK_SIZE = 64 * 1024;
export const TAG_SIZE = 16;
export const ENCRYPTED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE;
/** STREAM AEAD nonce: 11-byte big-endian counter then the last-chunk flag byte. */
export const STREAM_NONCE_SIZE = 12;
export const LAST_CHUNK_FLAG = 0x01;

/** Bech32 human-readable parts (identities are written upper case). */
export const IDENTITY_HRP = 'AGE-SECRET-KEY-';
export const RECIPIENT_HRP = 'age';
/** age keys exceed BIP173's 90-character limit; the spec lifts it. */
export const BECH32_LIMIT = 1024;

/** Strict PEM (RFC 7468) armor with padded base64 at 64 columns. */
export const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
export const ARMOR_END = '-----END AGE ENCRYPTED FILE-----';
export const ARMOR_COLUMNS = 64;
