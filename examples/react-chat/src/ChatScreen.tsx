import type { TokenPair } from '@chatsdk/core';
import { Channel, ChannelHeader, ChannelPanel, ChatProvider, MessageInput, MessageList, Thread, TypingIndicator } from '@chatsdk/react';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import type { BackendUser } from './backend.js';
import { NewChannelDialog } from './dialogs/NewChannelDialog.js';
import { NewDirectMessageDialog } from './dialogs/NewDirectMessageDialog.js';
import { ModerationPane } from './ModerationPane.js';
import { ModeratorTools } from './ModeratorTools.js';
import { Sidebar } from './Sidebar.js';
import type { Theme } from './theme.js';
import { fetchTokens, initialTokens } from './tokens.js';

const ACTIVE_KEY = 'chatsdk-demo:channel';

interface ChatScreenProps {
  user: BackendUser;
  apiUrl: string;
  theme: Theme;
  onToggleTheme: () => void;
  onLogout: () => void;
}

/** The signed-in app: a ChatSDK client for the user, the sidebar, and the open channel with its thread and panels. */
export function ChatScreen({ user, apiUrl, theme, onToggleTheme, onLogout }: ChatScreenProps): ReactNode {
  const [tokens, setTokens] = useState<TokenPair | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const tokenProvider = useCallback(() => fetchTokens(user.id), [user.id]);

  useEffect(() => {
    let live = true;
    initialTokens(user.id).then(
      (pair) => live && setTokens(pair),
      (error: unknown) => live && setFailure(`Could not get chat tokens: ${error instanceof Error ? error.message : String(error)}`),
    );
    return () => {
      live = false;
    };
  }, [user.id]);

  if (failure) return <p className="fatal" role="alert">{failure}</p>;
  if (!tokens) return <p className="splash">Connecting…</p>;
  return (
    <ChatProvider apiUrl={apiUrl} token={tokens.token} wsToken={tokens.wsToken} tokenProvider={tokenProvider} onUnauthorized={onLogout}>
      <Workspace user={user} theme={theme} onToggleTheme={onToggleTheme} onLogout={onLogout} />
    </ChatProvider>
  );
}

type Dialog = 'channel' | 'dm' | null;

function Workspace({ user, theme, onToggleTheme, onLogout }: Omit<ChatScreenProps, 'apiUrl'>): ReactNode {
  const [active, setActive] = useState<string | null>(() => sessionStorage.getItem(ACTIVE_KEY));
  const [dialog, setDialog] = useState<Dialog>(null);
  const [moderating, setModerating] = useState(false);
  const select = useCallback((id: string) => {
    sessionStorage.setItem(ACTIVE_KEY, id);
    setActive(id);
    setDialog(null);
  }, []);
  // On a phone one pane shows at a time: the lists, or the open channel with a way back to them.
  const back = useCallback(() => {
    sessionStorage.removeItem(ACTIVE_KEY);
    setActive(null);
  }, []);

  return (
    <div className="workspace" data-pane={active ? 'channel' : 'lists'} data-moderation={moderating ? 'open' : undefined}>
      <Sidebar
        user={user}
        activeChannelId={active}
        onSelect={select}
        onNewChannel={() => setDialog('channel')}
        onNewDirectMessage={() => setDialog('dm')}
        theme={theme}
        onToggleTheme={onToggleTheme}
        onLogout={onLogout}
        moderating={moderating}
        onToggleModeration={() => setModerating(!moderating)}
      />
      {active ? (
        <Channel key={active} id={active} className="workspace-channel">
          <div className="workspace-conversation">
            <div className="workspace-channel-header">
              <button type="button" className="icon-button workspace-back" aria-label="Back to channels" onClick={back}>
                ‹
              </button>
              <ChannelHeader actions={<ModeratorTools />} />
            </div>
            <MessageList empty={<p className="empty-channel">No messages yet: say hello.</p>} />
            <TypingIndicator />
            <MessageInput placeholder="Message" />
          </div>
          <Thread />
          <ChannelPanel />
        </Channel>
      ) : (
        <section className="workspace-welcome" aria-label="Welcome">
          <h2>Welcome, {user.name}</h2>
          <p>Pick a channel on the left, or start a conversation.</p>
        </section>
      )}
      {moderating ? <ModerationPane onClose={() => setModerating(false)} /> : null}
      {dialog === 'channel' ? <NewChannelDialog me={user.id} onCreated={select} onClose={() => setDialog(null)} /> : null}
      {dialog === 'dm' ? <NewDirectMessageDialog me={user.id} onCreated={select} onClose={() => setDialog(null)} /> : null}
    </div>
  );
}
