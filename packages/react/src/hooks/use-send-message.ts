import type { ChatChannel, LocalMessage, MessageInput } from '@chatsdk/core';
import { useCallback } from 'react';

/** A stable function sending a message to the channel (to the thread of `parentId` when given); shows at once. */
export function useSendMessage(channel: ChatChannel, parentId?: string): (input: MessageInput) => Promise<LocalMessage> {
  return useCallback(
    (input: MessageInput) => {
      const body = typeof input === 'string' ? { text: input } : input;
      return channel.sendMessage(parentId ? { ...body, parentId } : body);
    },
    [channel, parentId],
  );
}
