import type { FlagQueueState } from '@chatsdk/core';
import { useEffect } from 'react';
import { useChatClient } from './use-chat-client.js';
import { useStore } from './use-store.js';

/** The pending review queue (moderators): loaded on first use, live from `moderation.flagged` events. */
export function useModerationQueue(): FlagQueueState {
  const queue = useChatClient().moderation.queue;
  const state = useStore(queue);
  useEffect(() => {
    if (!queue.getSnapshot().ready && !queue.getSnapshot().loading) queue.reload().catch(() => undefined);
  }, [queue]);
  return state;
}
