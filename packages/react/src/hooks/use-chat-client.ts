import type { ChatClient, ConnectionState } from '@chatsdk/core';
import { useContext } from 'react';
import { ChatClientContext } from '../provider/context.js';
import { useStore } from './use-store.js';

/** The `ChatClient` of the nearest `<ChatProvider>`; throws outside one. */
export function useChatClient(): ChatClient {
  const client = useContext(ChatClientContext);
  if (!client) throw new Error('useChatClient: no <ChatProvider> above this component');
  return client;
}

/** The socket's state: `{ status: 'idle' | 'connecting' | 'connected' | 'disconnected', reason? }`. */
export function useConnectionState(): ConnectionState {
  return useStore(useChatClient().connection);
}

/** The id of the signed-in user (from the token), if known. */
export function useCurrentUserId(): string | undefined {
  return useChatClient().userId;
}
