/**
 * @module node/admin
 * Creating administrator accounts from the machine the hub runs on: the
 * `dme-hub admin create` command and the first-run alternative
 * (DME_HUB_ADMIN_EMAIL + DME_HUB_ADMIN_PASSWORD, used only while no admin exists).
 */
import { EmailSchema, PasswordSchema } from '@dme/core/protocol';
import { hashPassword } from '../auth/secrets.js';
import type { Clock, IdSource } from '../deps.js';
import { StoreConflictError } from '../store/types.js';
import type { AccountRecord, Store } from '../store/types.js';
import { ConfigError } from './settings.js';

export interface AdminInput {
  email: string;
  password: string;
  displayName?: string;
}

interface AdminDeps {
  store: Store;
  ids: IdSource;
  clock: Clock;
  passwordIterations: number;
}

function checked(input: AdminInput): { email: string; password: string; displayName: string } {
  const email = EmailSchema.safeParse(input.email);
  if (!email.success) throw new ConfigError(`not a valid email address: "${input.email}"`);
  const password = PasswordSchema.safeParse(input.password);
  if (!password.success) throw new ConfigError(password.error.issues[0]?.message ?? 'invalid password');
  return { email: email.data.toLowerCase(), password: password.data, displayName: input.displayName ?? 'Administrator' };
}

export class AdminExistsError extends Error {
  readonly code = 'CONFLICT';
}

/** Creates a new ADMIN account. Throws AdminExistsError if the email is taken. */
export async function createAdmin(deps: AdminDeps, input: AdminInput): Promise<AccountRecord> {
  const a = checked(input);
  try {
    return await deps.store.accounts.create({
      id: deps.ids.id('acc'),
      email: a.email,
      passwordHash: await hashPassword(a.password, deps.passwordIterations),
      displayName: a.displayName,
      organization: null,
      features: ['ADMIN'],
      now: deps.clock.now().toISOString(),
    });
  } catch (err) {
    if (err instanceof StoreConflictError) throw new AdminExistsError(`an account with email ${a.email} already exists`);
    throw err;
  }
}

/** First-run alternative: creates the admin only if there is none yet; null otherwise. */
export async function ensureFirstAdmin(deps: AdminDeps, input: AdminInput): Promise<AccountRecord | null> {
  if ((await deps.store.accounts.countAdmins()) > 0) return null;
  const a = checked(input);
  try {
    return await deps.store.accounts.createFirstAdmin({
      id: deps.ids.id('acc'),
      email: a.email,
      passwordHash: await hashPassword(a.password, deps.passwordIterations),
      displayName: a.displayName,
      organization: null,
      now: deps.clock.now().toISOString(),
    });
  } catch (err) {
    if (err instanceof StoreConflictError) throw new AdminExistsError(`DME_HUB_ADMIN_EMAIL: an account with email ${a.email} already exists`);
    throw err;
  }
}
