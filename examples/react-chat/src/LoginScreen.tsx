import { type FormEvent, type ReactNode, useState } from 'react';
import { backend, BackendError, type BackendConfig, type BackendUser } from './backend.js';

/** The backend's own login: ChatSDK knows nothing of passwords. */
export function LoginScreen({ config, onLogin }: { config: BackendConfig | null; onLogin: (user: BackendUser) => void }): ReactNode {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLogin(await backend.login(username, password));
    } catch (failure) {
      setError(failure instanceof BackendError ? failure.message : 'The backend did not answer');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="login-card" onSubmit={(event) => void submit(event)} aria-label="Sign in">
        <h1>ChatSDK demo</h1>
        <p className="login-lead">Sign in to the demo's backend; it gets your chat tokens from ChatSDK.</p>
        <label>
          User name
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error ? (
          <p className="login-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {config && config.demoAccounts.length > 0 ? (
          <div className="login-accounts">
            <p>Demo accounts (open a second window for a second user):</p>
            <ul>
              {config.demoAccounts.map((account) => (
                <li key={account.id}>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => {
                      setUsername(account.id);
                      setPassword(account.password);
                    }}
                  >
                    {account.name}
                  </button>{' '}
                  <code>
                    {account.id} / {account.password}
                  </code>
                  {account.role === 'moderator' ? ' (moderator: the review queue)' : null}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </form>
    </main>
  );
}
