import type { ChannelState } from '@chatsdk/protocol';
import { Avatar, ChannelPreview, useChannels, useConnectionState, useIsAppModerator, useUnreadCount } from '@chatsdk/react';
import type { ReactNode } from 'react';
import type { BackendUser } from './backend.js';
import { ModerationButton } from './ModerationPane.js';
import type { Theme } from './theme.js';

interface SidebarProps {
  user: BackendUser;
  activeChannelId: string | null;
  onSelect: (channelId: string) => void;
  onNewChannel: () => void;
  onNewDirectMessage: () => void;
  theme: Theme;
  onToggleTheme: () => void;
  onLogout: () => void;
  moderating: boolean;
  onToggleModeration: () => void;
}

/** A direct conversation: a distinct messaging channel without a name. */
function isDirect(state: ChannelState): boolean {
  return state.channel.type === 'messaging' && state.channel.distinct;
}

function Section({ title, label, channels, active, onSelect, onAdd, addLabel }: {
  title: string;
  label: string;
  channels: ChannelState[];
  active: string | null;
  onSelect: (id: string) => void;
  onAdd: () => void;
  addLabel: string;
}): ReactNode {
  return (
    <section className="sidebar-section">
      <header className="sidebar-section-header">
        <h2>{title}</h2>
        <button type="button" className="icon-button" aria-label={addLabel} title={addLabel} onClick={onAdd}>
          +
        </button>
      </header>
      {/* @chatsdk/react's rows (name, last message, unread badge) in the app's own two lists. */}
      <ul role="listbox" aria-label={label} className="sidebar-list">
        {channels.map((state) => (
          <ChannelPreview key={state.channel.id} state={state} active={state.channel.id === active} onSelect={onSelect} />
        ))}
      </ul>
    </section>
  );
}

/** Channels and direct messages with unread badges, the review queue (moderators), the user, the theme switch. */
export function Sidebar({ user, activeChannelId, onSelect, onNewChannel, onNewDirectMessage, theme, onToggleTheme, onLogout, moderating, onToggleModeration }: SidebarProps): ReactNode {
  // One list for the client (it keeps one), split here into channels and direct messages.
  const { channels, ready, error } = useChannels({ limit: 100 });
  const total = useUnreadCount();
  const connection = useConnectionState();
  // ChatSDK's own word on the role (users/me), not the backend's: it is what the server enforces.
  const moderator = useIsAppModerator();
  const direct = channels.filter(isDirect);
  const groups = channels.filter((state) => !isDirect(state));

  return (
    <aside className="sidebar" aria-label="Sidebar">
      <header className="sidebar-header">
        <span className="sidebar-brand">ChatSDK demo</span>
        {total.count > 0 ? (
          <span className="sidebar-total" aria-label={`${total.count} unread in all`}>
            {total.count}
          </span>
        ) : null}
      </header>
      <div className="sidebar-lists">
        {error ? <p className="sidebar-error" role="alert">Could not load channels</p> : null}
        {!ready ? <p className="sidebar-loading">Loading…</p> : null}
        <Section title="Channels" label="Channels" channels={groups} active={activeChannelId} onSelect={onSelect} onAdd={onNewChannel} addLabel="New channel" />
        <Section title="Direct messages" label="Direct messages" channels={direct} active={activeChannelId} onSelect={onSelect} onAdd={onNewDirectMessage} addLabel="New direct message" />
        {moderator ? <ModerationButton open={moderating} onToggle={onToggleModeration} /> : null}
      </div>
      <footer className="sidebar-footer">
        <Avatar name={user.name} />
        <span className="sidebar-me">
          <span className="sidebar-me-name">{user.name}</span>
          <span className="sidebar-me-status" data-status={connection.status}>
            {connection.status}
          </span>
        </span>
        <button type="button" className="icon-button" aria-label={theme === 'dark' ? 'Light theme' : 'Dark theme'} title="Switch theme" onClick={onToggleTheme}>
          {theme === 'dark' ? '☀' : '☾'}
        </button>
        <button type="button" className="icon-button" aria-label="Sign out" title="Sign out" onClick={onLogout}>
          ⎋
        </button>
      </footer>
    </aside>
  );
}
