import type { ChannelState, ListChannelsQuery } from '@chatsdk/protocol';
import { type ComponentType, type KeyboardEvent, type ReactNode, useRef } from 'react';
import { type ChannelSort, useChannels } from '../hooks/use-channels.js';
import { ChannelPreview, type ChannelPreviewProps } from './ChannelPreview.js';

/** Props of `<ChannelList>`. */
export interface ChannelListProps {
  /** Server-side filters (`type`, `q`, `custom.x`…). */
  filters?: ListChannelsQuery;
  sort?: ChannelSort;
  /** The channel shown now (marked selected). */
  activeChannelId?: string | null;
  /** Called with the id of the channel chosen. */
  onSelect?: (channelId: string) => void;
  /** Replaces the row component. */
  Preview?: ComponentType<ChannelPreviewProps>;
  /** Shown when there is no channel. */
  empty?: ReactNode;
}

/** Moves focus between options with the arrow keys, Home and End. */
function onListKey(event: KeyboardEvent<HTMLUListElement>): void {
  const options = [...event.currentTarget.querySelectorAll<HTMLElement>('[role="option"]')];
  const at = options.indexOf(document.activeElement as HTMLElement);
  const to = event.key === 'ArrowDown' ? at + 1 : event.key === 'ArrowUp' ? at - 1 : event.key === 'Home' ? 0 : event.key === 'End' ? options.length - 1 : null;
  if (to === null) return;
  event.preventDefault();
  options[Math.max(0, Math.min(options.length - 1, to))]?.focus();
}

/** The user's channels, live, as a keyboard-navigable listbox of `ChannelPreview`s. */
export function ChannelList({ filters, sort, activeChannelId = null, onSelect, Preview = ChannelPreview, empty = 'No channels yet' }: ChannelListProps): ReactNode {
  const { channels, ready, hasMore, loading, loadMore } = useChannels(filters, sort);
  const list = useRef<HTMLUListElement>(null);
  const anyActive = channels.some((state: ChannelState) => state.channel.id === activeChannelId);
  return (
    <nav className="chat-channel-list" aria-label="Channels">
      <ul role="listbox" aria-label="Channels" aria-busy={loading} ref={list} tabIndex={anyActive ? -1 : 0} onKeyDown={onListKey}>
        {channels.map((state) => (
          <Preview key={state.channel.id} state={state} active={state.channel.id === activeChannelId} {...(onSelect ? { onSelect } : {})} />
        ))}
      </ul>
      {ready && channels.length === 0 ? <p className="chat-empty">{empty}</p> : null}
      {hasMore ? (
        <button type="button" className="chat-button chat-load-more" disabled={loading} onClick={() => void loadMore()}>
          Load more
        </button>
      ) : null}
    </nav>
  );
}
