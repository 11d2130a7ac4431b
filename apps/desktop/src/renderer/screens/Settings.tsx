/** Settings: hub URL, library path, start at login, notifications, webhook, and this machine's keys with fingerprints. */
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { ErrorText } from '../components/ErrorText.js';
import { useSession } from '../stores/session.js';
import { useSettings } from '../stores/settings.js';

export function SettingsScreen() {
  const { settings, identity, webhook, info, error, saved, load, save, setWebhook } = useSettings();
  const account = useSession((s) => s.status?.account);
  const signOut = useSession((s) => s.signOut);
  const [hubUrl, setHubUrl] = useState('');
  const [libraryPath, setLibraryPath] = useState('');
  const [hookUrl, setHookUrl] = useState('');

  useEffect(() => { void load(); }, [load]);
  useEffect(() => {
    if (settings) { setHubUrl(settings.hubUrl); setLibraryPath(settings.libraryPath); }
  }, [settings]);
  useEffect(() => { setHookUrl(webhook?.url ?? ''); }, [webhook]);

  function submit(e: FormEvent) {
    e.preventDefault();
    void save({ hubUrl: hubUrl.trim(), libraryPath: libraryPath.trim() });
  }

  return (
    <>
      <h1>Settings</h1>
      <ErrorText error={error} />
      {saved && <div className="notice" role="status">{saved}</div>}
      {settings && (
        <form className="panel" onSubmit={submit} aria-label="General settings">
          <h2>General</h2>
          <label>Hub URL<input type="url" required value={hubUrl} onChange={(e) => setHubUrl(e.target.value)} /></label>
          <label>Library file (SQLite)<input className="mono" required value={libraryPath} onChange={(e) => setLibraryPath(e.target.value)} /></label>
          <label className="inline"><input type="checkbox" checked={settings.startAtLogin} onChange={(e) => void save({ startAtLogin: e.target.checked })} /> Start DME when I log in</label>
          <label className="inline"><input type="checkbox" checked={settings.notifications} onChange={(e) => void save({ notifications: e.target.checked })} /> Notify me when new data arrives</label>
          <button type="submit" className="primary">Save</button>
        </form>
      )}
      <section className="panel" aria-label="Keys">
        <h2>Keys on this computer</h2>
        {!identity ? <p className="muted">No keys yet: they are created at first sign-in.</p> : (
          <>
            <dl className="facts">
              <dt>Encryption key</dt><dd className="mono">{identity.recipient}</dd>
              <dt>Its fingerprint</dt><dd className="mono" aria-label="Encryption key fingerprint">{identity.ageFingerprint}</dd>
              <dt>Signing key</dt><dd className="mono">{identity.signingKey}</dd>
              <dt>Its fingerprint</dt><dd className="mono" aria-label="Signing key fingerprint">{identity.signingFingerprint}</dd>
              <dt>Stored in</dt><dd>{identity.storage === 'keychain' ? 'the system keychain' : identity.storage === 'file' ? 'an encrypted key file' : 'nowhere yet'}</dd>
              <dt>Registered on hub</dt><dd>{identity.registered ? 'yes' : 'not yet'}</dd>
            </dl>
            {identity.warning && <div className="notice" role="note">{identity.warning}</div>}
            <p className="muted small">Compare fingerprints with your partners by phone or in person: the hub routes files but cannot read them.</p>
          </>
        )}
      </section>
      {webhook && !webhook.available && (
        <section className="panel" aria-label="Webhook">
          <h2>Webhook</h2>
          <p className="muted" role="note">{webhook.unavailable ?? 'Webhooks are not available for this account.'}</p>
        </section>
      )}
      {webhook?.available && (
        <form className="panel" aria-label="Webhook" onSubmit={(e) => { e.preventDefault(); void setWebhook(hookUrl.trim() || null); }}>
          <h2>Webhook</h2>
          <p className="muted small">The hub can also call your server when data is published (signed per Standard Webhooks).</p>
          <label>Webhook URL<input type="url" value={hookUrl} onChange={(e) => setHookUrl(e.target.value)} placeholder="https://example.com/dme-hook" /></label>
          {webhook.secret && <div className="notice" role="status">Signing secret (shown once): <span className="mono">{webhook.secret}</span></div>}
          <div className="row"><button type="submit" className="primary">Save webhook</button>{webhook.url && <button type="button" className="danger" onClick={() => void setWebhook(null)}>Remove</button>}</div>
        </form>
      )}
      <section className="panel" aria-label="Account">
        <h2>Account</h2>
        <dl className="facts">
          <dt>Signed in as</dt><dd>{account ? `${account.displayName} <${account.email}>` : '—'}</dd>
          <dt>Roles</dt><dd>{account ? [account.producer && 'publisher', account.consumer && 'subscriber', account.admin && 'admin'].filter(Boolean).join(', ') : '—'}</dd>
          {info && (<><dt>App</dt><dd>DME {info.version} · {info.mode} mode · {info.platform}</dd><dt>Home</dt><dd className="mono">{info.home}</dd></>)}
        </dl>
        <button type="button" className="danger" style={{ marginTop: 12 }} onClick={() => void signOut()}>Sign out</button>
      </section>
    </>
  );
}
