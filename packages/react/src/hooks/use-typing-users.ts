import type { ChatChannel, TypingUser } from '@chatsdk/core';
import { shallowArrayEqual, useStoreSelector } from './use-store.js';

/** Others typing in the channel (`parentId` undefined), or in the thread of `parentId`. */
export function useTypingUsers(channel: ChatChannel, parentId?: string | null): readonly TypingUser[] {
  const thread = parentId ?? null;
  return useStoreSelector(channel.typing, (users) => users.filter((user) => user.parentId === thread), shallowArrayEqual);
}
