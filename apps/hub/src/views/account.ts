/**
 * @module views/account
 * Store records to protocol shapes. The only place that decides which account
 * fields leave the hub: the password hash never does.
 */
import type { Account, AccountKeys, PublicAccount } from '@dme/core/protocol';
import { fingerprint } from '@dme/core/manifest';
import type { AccountRecord } from '../store/types.js';

export function accountView(a: AccountRecord): Account {
  return {
    id: a.id,
    email: a.email,
    displayName: a.displayName,
    ...(a.organization !== null ? { organization: a.organization } : {}),
    features: a.features,
    tier: a.tier,
    status: a.status,
    ...(a.ageRecipient !== null ? { ageRecipient: a.ageRecipient } : {}),
    ...(a.signingPublicKey !== null ? { signingPublicKey: a.signingPublicKey } : {}),
    mfaEnabled: false,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

export function publicAccountView(a: AccountRecord): PublicAccount {
  return {
    id: a.id,
    displayName: a.displayName,
    ...(a.organization !== null ? { organization: a.organization } : {}),
    features: a.features,
    ...(a.ageRecipient !== null ? { ageRecipient: a.ageRecipient } : {}),
    ...(a.signingPublicKey !== null ? { signingPublicKey: a.signingPublicKey } : {}),
  };
}

export function accountKeysView(a: AccountRecord): AccountKeys {
  return {
    accountId: a.id,
    ageRecipient: a.ageRecipient,
    ageRecipientFingerprint: a.ageRecipient !== null ? fingerprint(a.ageRecipient) : null,
    signingPublicKey: a.signingPublicKey,
    signingPublicKeyFingerprint: a.signingPublicKey !== null ? fingerprint(a.signingPublicKey) : null,
    updatedAt: a.keysUpdatedAt,
  };
}
