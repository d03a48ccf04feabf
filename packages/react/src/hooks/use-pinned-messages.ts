import type { ChatChannel } from '@chatsdk/core';
import type { Message } from '@chatsdk/protocol';
import { useEffect, useRef, useState } from 'react';
import { useChatClient } from './use-chat-client.js';

/** What `usePinnedMessages` answers. */
export interface PinnedMessagesState {
  /** Most recently pinned first. */
  messages: readonly Message[];
  loading: boolean;
}

/** The channel's pinned messages; reloaded when the channel's events pin or unpin one. */
export function usePinnedMessages(channel: ChatChannel): PinnedMessagesState {
  const client = useChatClient();
  const [state, setState] = useState<PinnedMessagesState>({ messages: [], loading: true });
  const [version, setVersion] = useState(0);
  const shown = useRef(new Set<string>());
  useEffect(() => {
    // The core client keeps no pinned store: an event that pins a message not shown, or unpins one shown, reloads the page.
    const sub = client.on('channel.event', ({ channel: from, event }) => {
      if (from !== channel || event.type !== 'message.updated') return;
      if ((event.message.pinnedAt !== null) !== shown.current.has(event.message.id)) setVersion((v) => v + 1);
    });
    return () => sub.remove();
  }, [client, channel]);
  useEffect(() => {
    let live = true;
    channel.pinned({ limit: 50 }).then(
      (page) => {
        if (!live) return;
        shown.current = new Set(page.messages.map((message) => message.id));
        setState({ messages: page.messages, loading: false });
      },
      () => live && setState((s) => ({ ...s, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [channel, version]);
  return state;
}
