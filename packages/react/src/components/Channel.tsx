import type { ChatChannel } from '@chatsdk/core';
import { type ReactNode, useMemo } from 'react';
import { useChannel } from '../hooks/use-channel.js';
import { Lightbox } from './attachments/Lightbox.js';
import { ChannelContext, createChannelView } from './channel-context.js';

/** Props of `<Channel>`: a channel by id, or a `ChatChannel`. */
export interface ChannelProps {
  /** The channel's id. */
  id?: string;
  /** Or the channel object. */
  channel?: ChatChannel;
  children?: ReactNode;
  className?: string;
}

/**
 * Watches a channel while mounted and gives it to its children
 * (`ChannelHeader`, `MessageList`, `MessageInput`, `Thread`…); shows the
 * `Lightbox` when an image is opened.
 */
export function Channel({ id, channel: given, children, className }: ChannelProps): ReactNode {
  const channel = useChannel(given?.id ?? id);
  const value = useMemo(() => (channel ? { channel, view: createChannelView() } : null), [channel]);
  if (!value) return null;
  return (
    <ChannelContext.Provider value={value}>
      <section className={['chat-channel', className].filter(Boolean).join(' ')} aria-label="Channel">
        {children}
        <Lightbox />
      </section>
    </ChannelContext.Provider>
  );
}
