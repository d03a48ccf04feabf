import type { Channel as ChannelData } from '@chatsdk/protocol';
import type { ReactNode } from 'react';
import { useChannelName } from '../hooks/use-channel-name.js';
import { useChannelState } from '../hooks/use-channel.js';
import { useStoreSelector } from '../hooks/use-store.js';
import { Avatar } from './Avatar.js';
import { type ChannelPanel, useChannelContext, useChannelView } from './channel-context.js';

function PanelButton({ panel, label }: { panel: Exclude<ChannelPanel, null>; label: string }): ReactNode {
  const { view } = useChannelContext();
  const open = useChannelView((state) => state.panel === panel);
  return (
    <button type="button" className="chat-button" aria-pressed={open} onClick={() => view.update((state) => ({ ...state, panel: open ? null : panel }))}>
      {label}
    </button>
  );
}

function Title({ children }: { children: ReactNode }): ReactNode {
  return <h2 className="chat-channel-header-name">{children}</h2>;
}

function Named(): ReactNode {
  const { channel } = useChannelContext();
  const state = useChannelState(channel);
  if (!state) return <Title>{channel.id}</Title>;
  return <NamedLoaded channel={state.channel} />;
}

function NamedLoaded({ channel }: { channel: ChannelData }): ReactNode {
  const name = useChannelName(channel);
  return (
    <>
      <Avatar name={name} image={channel.image} />
      <Title>{name}</Title>
    </>
  );
}

/** The channel's name, member and online counts, and buttons for the members and pinned panels. */
export function ChannelHeader({ actions }: { actions?: ReactNode }): ReactNode {
  const { channel } = useChannelContext();
  const memberCount = useStoreSelector(channel.state, (state) => state?.channel.memberCount ?? 0);
  const online = useStoreSelector(channel.presence, (all) => Object.values(all).filter((p) => p.online).length);
  return (
    <header className="chat-channel-header">
      <Named />
      <span className="chat-channel-header-meta">
        {memberCount} {memberCount === 1 ? 'member' : 'members'}
        {online > 0 ? `, ${online} online` : ''}
      </span>
      <span className="chat-channel-header-actions">
        <PanelButton panel="members" label="Members" />
        <PanelButton panel="pinned" label="Pinned" />
        {actions}
      </span>
    </header>
  );
}
