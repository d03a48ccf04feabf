import type { ChatChannel } from '@chatsdk/core';
import type { ReadState } from '@chatsdk/protocol';
import { useChatClient } from './use-chat-client.js';
import { shallowArrayEqual, useStoreSelector } from './use-store.js';

type Reads = Readonly<Record<string, ReadState>>;
const NONE: readonly string[] = [];

/** Every member's read position in the channel, by user id. */
export function useReadReceipts(channel: ChatChannel): Reads;
/** The other users whose read position is exactly this message (where their "seen" marker sits); re-renders only when that list changes. */
export function useReadReceipts(channel: ChatChannel, messageId: string): readonly string[];
export function useReadReceipts(channel: ChatChannel, messageId?: string): Reads | readonly string[] {
  const me = useChatClient().userId;
  return useStoreSelector<Reads, Reads | readonly string[]>(
    channel.reads,
    (reads) => {
      if (messageId === undefined) return reads;
      const readers = Object.values(reads).filter((read) => read.lastReadMessageId === messageId && read.userId !== me).map((read) => read.userId);
      return readers.length === 0 ? NONE : readers;
    },
    (a, b) => a === b || (Array.isArray(a) && Array.isArray(b) && shallowArrayEqual(a, b)),
  );
}
