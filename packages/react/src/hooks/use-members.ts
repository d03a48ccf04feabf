import type { ChatChannel } from '@chatsdk/core';
import type { Member } from '@chatsdk/protocol';
import { useStore } from './use-store.js';

/** The channel's members (the first 100 after it is watched). */
export function useMembers(channel: ChatChannel): readonly Member[] {
  return useStore(channel.members);
}
