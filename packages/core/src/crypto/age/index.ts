/**
 * age v1 (age-encryption.org/v1) for DME: X25519 recipients only, streaming
 * payload, header/payload split for key grants. See packages/core/spec/age.md.
 */
export { AgeError, isAgeError, type AgeErrorCode } from './errors.js';
export * as AGE from './constants.js';
export { generateIdentity, identityToRecipient, isIdentity, isRecipient, parseIdentityFile } from './keys.js';
export { encodeHeader, grantHeader, randomFileKey, unwrapFileKey } from './filekey.js';
export { readHeader, type SplitFile } from './reader.js';
export { decryptPayload, encryptPayload, type PayloadOptions, type PayloadResult, type PayloadSizes, type ResultFor } from './payload.js';
export { decrypt, encrypt, type DecryptOptions, type EncryptOptions, type EncryptResult } from './age.js';
export { armor, armorWriter, dearmor, dearmorStream } from './armor.js';
export { openFileSource, type ByteSource, type DirectSource } from './source.js';
