import { useChatClient } from './use-chat-client.js';
import { shallowEqual, useStoreSelector } from './use-store.js';

/** Unread figures: messages and mentions of the user. */
export interface UnreadCount {
  count: number;
  mentions: number;
}

/** Unread messages and mentions in one channel, or in all of them without `channelId`. */
export function useUnreadCount(channelId?: string): UnreadCount {
  const client = useChatClient();
  return useStoreSelector(
    client.unread,
    (state) => {
      if (!channelId) return { count: state.total, mentions: state.totalMentions };
      const channel = state.channels[channelId];
      return { count: channel?.unreadCount ?? 0, mentions: channel?.unreadMentions ?? 0 };
    },
    shallowEqual,
  );
}
