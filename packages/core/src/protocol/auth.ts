/**
 * @module protocol/auth
 * Request and response bodies of the auth, API-key and account-key endpoints.
 * Secrets cross the wire exactly once: a password at signup/login, a refresh
 * token when issued, an API key when created. The hub stores only hashes, so
 * no response ever repeats a secret it did not just mint.
 */
import { z } from 'zod';
import { AccountSchema, DisplayNameSchema, OrganizationSchema } from './account.js';
import { AgeRecipientSchema, Ed25519PublicKeySchema, IdSchema, TimestampSchema } from './common.js';

export const EmailSchema = z.email().max(254);
/** Length bounds only: long passphrases are welcome, and the upper bound caps hashing cost. */
export const PasswordSchema = z.string().min(10, 'password must be at least 10 characters').max(1024);

export const SignupRequestSchema = z.strictObject({
  email: EmailSchema,
  password: PasswordSchema,
  displayName: DisplayNameSchema,
  organization: OrganizationSchema.optional(),
});
export type SignupRequest = z.infer<typeof SignupRequestSchema>;

export const LoginRequestSchema = z.strictObject({
  email: EmailSchema,
  // Not PasswordSchema: a wrong-length password is just a wrong password (401), not a hint.
  password: z.string().min(1).max(1024),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

/** Issued by signup, login and refresh. `accessToken` is a JWT; `refreshToken` is opaque. */
export const AuthTokensSchema = z.object({
  tokenType: z.literal('Bearer'),
  accessToken: z.string().min(1),
  accessTokenExpiresAt: TimestampSchema,
  refreshToken: z.string().min(1),
  refreshTokenExpiresAt: TimestampSchema,
});
export type AuthTokens = z.infer<typeof AuthTokensSchema>;

export const AuthSessionSchema = AuthTokensSchema.extend({ account: AccountSchema });
export type AuthSession = z.infer<typeof AuthSessionSchema>;

/** POST /auth/refresh and /auth/logout. A refresh token is single-use. */
export const RefreshRequestSchema = z.strictObject({ refreshToken: z.string().min(1).max(512) });
export type RefreshRequest = z.infer<typeof RefreshRequestSchema>;
export const LogoutRequestSchema = RefreshRequestSchema;
export type LogoutRequest = RefreshRequest;

/**
 * What an API key may do. `producer` cannot call consumer routes and
 * `consumer` cannot call producer routes; `read-only` allows GET only.
 * Feature flags of the account still apply on top of the scope.
 */
export const API_KEY_SCOPES = ['producer', 'consumer', 'read-only'] as const;
export const ApiKeyScopeSchema = z.enum(API_KEY_SCOPES);
export type ApiKeyScope = z.infer<typeof ApiKeyScopeSchema>;

/** `dme_<id>_<64 lowercase hex>`; the id lets the hub find the hash without scanning. */
export const API_KEY_PATTERN = /^dme_([A-Za-z0-9]+_[0-9a-z]+)_([0-9a-f]{64})$/;

export const ApiKeyCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z
    .array(ApiKeyScopeSchema)
    .min(1)
    .refine((s) => new Set(s).size === s.length, 'scopes must be distinct')
    .refine((s) => !s.includes('read-only') || s.length === 1, 'read-only cannot be combined with other scopes'),
  expiresAt: TimestampSchema.optional(),
});
export type ApiKeyCreate = z.infer<typeof ApiKeyCreateSchema>;

export const ApiKeySchema = z.object({
  id: IdSchema,
  name: z.string(),
  scopes: z.array(ApiKeyScopeSchema),
  createdAt: TimestampSchema,
  expiresAt: TimestampSchema.nullable(),
  lastUsedAt: TimestampSchema.nullable(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;

/** The only response that carries the key itself; it cannot be shown again. */
export const ApiKeyCreatedSchema = ApiKeySchema.extend({ key: z.string().regex(API_KEY_PATTERN) });
export type ApiKeyCreated = z.infer<typeof ApiKeyCreatedSchema>;

export const ApiKeyListSchema = z.object({ items: z.array(ApiKeySchema) });
export type ApiKeyList = z.infer<typeof ApiKeyListSchema>;

/** PUT /account/keys: both public keys at once, so they never disagree in age. */
export const AccountKeysUpdateSchema = z.strictObject({
  ageRecipient: AgeRecipientSchema,
  signingPublicKey: Ed25519PublicKeySchema,
});
export type AccountKeysUpdate = z.infer<typeof AccountKeysUpdateSchema>;

/** An account's public keys with fingerprints to compare out of band; null until registered. */
export const AccountKeysSchema = z.object({
  accountId: IdSchema,
  ageRecipient: AgeRecipientSchema.nullable(),
  ageRecipientFingerprint: z.string().nullable(),
  signingPublicKey: Ed25519PublicKeySchema.nullable(),
  signingPublicKeyFingerprint: z.string().nullable(),
  updatedAt: TimestampSchema.nullable(),
});
export type AccountKeys = z.infer<typeof AccountKeysSchema>;
