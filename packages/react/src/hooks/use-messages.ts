import type { ChatChannel, LocalMessage, MessageWindow, MessageWindowState } from '@chatsdk/core';
import { useCallback, useEffect } from 'react';
import { useChatClient } from './use-chat-client.js';
import { useStore } from './use-store.js';

/** A window of messages and how to page it back. */
export interface UseMessagesResult extends MessageWindowState {
  /** Loads the page before the oldest message held; resolves to whether older ones remain. */
  loadOlder: () => Promise<boolean>;
}

function useWindow(window: MessageWindow): UseMessagesResult {
  const state = useStore(window);
  const loadOlder = useCallback(() => window.loadOlder(), [window]);
  return { ...state, loadOlder };
}

/** The channel's messages, oldest first (watch it with `useChannel` to load and keep them live). */
export function useMessages(channel: ChatChannel): UseMessagesResult {
  return useWindow(channel.messages);
}

/** What names a thread: its parent message, or the channel and the parent's id. */
export type ThreadParent = Pick<LocalMessage, 'id' | 'channelId'>;

/** A thread's replies, oldest first: loaded on mount, live while the channel is watched. */
export function useThread(parent: ThreadParent): UseMessagesResult {
  const client = useChatClient();
  const window = client.channel(parent.channelId).thread(parent.id);
  useEffect(() => {
    if (!window.getSnapshot().ready && !window.getSnapshot().loading) window.reload().catch((error: unknown) => console.warn('useThread: loading replies failed', error));
  }, [window]);
  return useWindow(window);
}
