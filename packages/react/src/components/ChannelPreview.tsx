import type { ChannelState } from '@chatsdk/protocol';
import { memo, type ReactNode } from 'react';
import { useChannelName } from '../hooks/use-channel-name.js';
import { useUnreadCount } from '../hooks/use-unread-count.js';
import { Avatar } from './Avatar.js';

/** Props of `<ChannelPreview>`. */
export interface ChannelPreviewProps {
  state: ChannelState;
  /** The channel shown now. */
  active?: boolean;
  /** Chooses the channel. */
  onSelect?: (channelId: string) => void;
}

/** Arrow keys, Home and End move focus among the options of the enclosing listbox (any listbox: `ChannelList`'s or the app's own). */
function moveFocus(option: HTMLElement, key: string): boolean {
  const box = option.closest('[role="listbox"]');
  if (!box) return false;
  const options = Array.from(box.querySelectorAll<HTMLElement>('[role="option"]'));
  const at = options.indexOf(option);
  const to = key === 'ArrowDown' ? at + 1 : key === 'ArrowUp' ? at - 1 : key === 'Home' ? 0 : key === 'End' ? options.length - 1 : null;
  if (to === null) return false;
  options[Math.max(0, Math.min(options.length - 1, to))]?.focus();
  return true;
}

function preview(state: ChannelState): string {
  const last = state.lastMessage;
  if (!last) return 'No messages yet';
  if (last.deletedAt) return 'Message deleted';
  return last.text.replace(/\s+/g, ' ').slice(0, 120) || (last.attachments.length > 0 ? 'Attachment' : '');
}

/** One row of the channel list: name, last message, unread badge. An ARIA option of `ChannelList`'s listbox. */
export const ChannelPreview = memo(function ChannelPreview({ state, active = false, onSelect }: ChannelPreviewProps): ReactNode {
  const { channel } = state;
  const name = useChannelName(channel);
  const unread = useUnreadCount(channel.id);
  return (
    <li
      role="option"
      aria-selected={active}
      tabIndex={active ? 0 : -1}
      data-channel-id={channel.id}
      className="chat-channel-preview"
      data-unread={unread.count > 0 ? 'true' : undefined}
      onClick={() => onSelect?.(channel.id)}
      onKeyDown={(event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          onSelect?.(channel.id);
        } else if (moveFocus(event.currentTarget, event.key)) {
          event.preventDefault();
          event.stopPropagation();
        }
      }}
    >
      <Avatar name={name} image={channel.image} />
      <span className="chat-channel-preview-body">
        <span className="chat-channel-preview-name">{name}</span>
        <span className="chat-channel-preview-last">{preview(state)}</span>
      </span>
      {unread.count > 0 ? (
        <span className="chat-badge" aria-label={`${unread.count} unread`}>
          {unread.count > 99 ? '99+' : unread.count}
        </span>
      ) : null}
    </li>
  );
});
