/** Sign in (email + password, or an API key) and sign up, against a hub URL. */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { ErrorText } from '../components/ErrorText.js';
import { useSession } from '../stores/session.js';

type Tab = 'password' | 'apikey' | 'signup';

export function SignIn() {
  const { status, busy, error, signIn, signUp } = useSession();
  const [tab, setTab] = useState<Tab>('password');
  const [hubUrl, setHubUrl] = useState(status?.hubUrl ?? '');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [organization, setOrganization] = useState('');
  const [producer, setProducer] = useState(false);
  const [consumer, setConsumer] = useState(true);

  function submit(e: FormEvent) {
    e.preventDefault();
    const hub = hubUrl.trim() ? { hubUrl: hubUrl.trim() } : {};
    if (tab === 'password') void signIn({ ...hub, email: email.trim(), password });
    else if (tab === 'apikey') void signIn({ ...hub, apiKey: apiKey.trim() });
    else void signUp({ ...hub, email: email.trim(), password, displayName: displayName.trim(), producer, consumer, ...(organization.trim() ? { organization: organization.trim() } : {}) });
  }

  const tabButton = (t: Tab, text: string) => (
    <button type="button" role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>{text}</button>
  );

  return (
    <div className="auth">
      <form className="panel" onSubmit={submit} aria-labelledby="auth-title">
        <h1 id="auth-title">{tab === 'signup' ? 'Create your DME account' : 'Sign in to DME'}</h1>
        <div className="tabs" role="tablist" aria-label="How to sign in">
          {tabButton('password', 'Email')}
          {tabButton('apikey', 'API key')}
          {tabButton('signup', 'Sign up')}
        </div>
        <label>Hub URL
          <input type="url" value={hubUrl} onChange={(e) => setHubUrl(e.target.value)} placeholder="https://hub.example.com" />
        </label>
        {tab !== 'apikey' && (
          <>
            <label>Email
              <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
            </label>
            <label>Password
              <input type="password" autoComplete={tab === 'signup' ? 'new-password' : 'current-password'} required minLength={tab === 'signup' ? 10 : 1} value={password} onChange={(e) => setPassword(e.target.value)} />
            </label>
          </>
        )}
        {tab === 'apikey' && (
          <label>API key
            <input type="password" required value={apiKey} onChange={(e) => setApiKey(e.target.value)} />
          </label>
        )}
        {tab === 'signup' && (
          <>
            <label>Your name
              <input required value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
            </label>
            <label>Organization (optional)
              <input value={organization} onChange={(e) => setOrganization(e.target.value)} />
            </label>
            <fieldset className="row" style={{ border: 'none', padding: 0, margin: '0 0 10px' }}>
              <legend className="muted small" style={{ marginBottom: 6 }}>I want to</legend>
              <label className="inline"><input type="checkbox" checked={consumer} onChange={(e) => setConsumer(e.target.checked)} /> receive data</label>
              <label className="inline"><input type="checkbox" checked={producer} onChange={(e) => setProducer(e.target.checked)} /> publish data</label>
            </fieldset>
          </>
        )}
        <ErrorText error={error} />
        <button type="submit" className="primary" disabled={busy} style={{ width: '100%' }}>
          {busy ? 'Please wait…' : tab === 'signup' ? 'Create account' : 'Sign in'}
        </button>
        <p className="muted small">Your encryption keys are made on this machine and never leave it; the hub only sees your public keys.</p>
      </form>
    </div>
  );
}
