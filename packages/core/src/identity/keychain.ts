/**
 * @module identity/keychain
 * Secrets in the OS keychain (macOS Keychain, Windows Credential Vault,
 * Secret Service on Linux) through keytar, service name "DME".
 *
 * keytar is an optional native dependency and a Linux desktop may have no
 * Secret Service running; `openKeychain` answers `null` in both cases (and
 * when DME_KEYCHAIN=off) so callers fall back to a key file with a warning.
 */

export const KEYCHAIN_SERVICE = 'DME';
/** libsecret may wait on D-Bus for ~25 s when no Secret Service answers. */
const PROBE_TIMEOUT_MS = 4000;

export interface Keychain {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}

interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('keychain did not answer')), ms);
    timer.unref();
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

async function loadKeytar(): Promise<Keytar | null> {
  try {
    const mod = (await import('keytar')) as unknown as { default?: Keytar } & Keytar;
    return mod.default ?? mod;
  } catch {
    return null;
  }
}

/** The OS keychain, or null when there is none usable here. */
export async function openKeychain(env: NodeJS.ProcessEnv = process.env): Promise<Keychain | null> {
  if (env.DME_KEYCHAIN === 'off') return null;
  // Without a session bus, libsecret tries to autolaunch one; that never works headless.
  if (process.platform === 'linux' && !env.DBUS_SESSION_BUS_ADDRESS) return null;
  const keytar = await loadKeytar();
  if (!keytar) return null;
  try {
    await withTimeout(keytar.findCredentials(KEYCHAIN_SERVICE), PROBE_TIMEOUT_MS);
  } catch {
    return null;
  }
  return {
    get: (account) => withTimeout(keytar.getPassword(KEYCHAIN_SERVICE, account), PROBE_TIMEOUT_MS),
    set: (account, secret) => withTimeout(keytar.setPassword(KEYCHAIN_SERVICE, account, secret), PROBE_TIMEOUT_MS),
    delete: (account) => withTimeout(keytar.deletePassword(KEYCHAIN_SERVICE, account), PROBE_TIMEOUT_MS),
  };
}
