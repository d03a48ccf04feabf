import type { ChatChannel, LocalMessage, MessageInput, SendMessageOptions } from '@chatsdk/core';
import { useCallback } from 'react';

/** A stable function sending a message (with `files`, if given) to the channel, to the thread of `parentId` when given; shows at once. */
export function useSendMessage(channel: ChatChannel, parentId?: string): (input: MessageInput, options?: SendMessageOptions) => Promise<LocalMessage> {
  return useCallback(
    (input: MessageInput, options?: SendMessageOptions) => {
      const body = typeof input === 'string' ? { text: input } : input;
      return channel.sendMessage(parentId ? { ...body, parentId } : body, options);
    },
    [channel, parentId],
  );
}
