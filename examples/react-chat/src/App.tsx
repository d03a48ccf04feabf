import { ChatTheme } from '@chatsdk/react';
import { type ReactNode, useEffect, useState } from 'react';
import { backend, type BackendConfig, type BackendUser } from './backend.js';
import { ChatScreen } from './ChatScreen.js';
import { LoginScreen } from './LoginScreen.js';
import { useTheme } from './theme.js';
import { forgetTokens } from './tokens.js';

type Session = { state: 'loading' } | { state: 'out' } | { state: 'in'; user: BackendUser };

/** Login with the backend, then the chat; the backend's session survives a reload. */
export function App(): ReactNode {
  const [config, setConfig] = useState<BackendConfig | null>(null);
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const [failure, setFailure] = useState<string | null>(null);
  const [theme, toggleTheme] = useTheme();

  useEffect(() => {
    Promise.all([backend.config(), backend.me()]).then(
      ([loaded, user]) => {
        setConfig(loaded);
        setSession(user ? { state: 'in', user } : { state: 'out' });
      },
      (error: unknown) => setFailure(`The demo's backend did not answer: ${String(error)}`),
    );
  }, []);

  const logout = async () => {
    forgetTokens();
    await backend.logout().catch(() => undefined);
    setSession({ state: 'out' });
  };

  let screen: ReactNode;
  if (failure) {
    screen = (
      <p className="fatal" role="alert">
        {failure}
      </p>
    );
  } else if (session.state === 'loading' || !config) {
    screen = <p className="splash">Loading…</p>;
  } else if (session.state === 'out') {
    screen = <LoginScreen config={config} onLogin={(user) => setSession({ state: 'in', user })} />;
  } else {
    screen = <ChatScreen key={session.user.id} user={session.user} apiUrl={config.chatApiUrl} theme={theme} onToggleTheme={toggleTheme} onLogout={() => void logout()} />;
  }
  // @chatsdk/react's theme root: its variables (light or dark) serve the app's own styles too.
  return (
    <ChatTheme theme={theme} className="app-root">
      {screen}
    </ChatTheme>
  );
}
