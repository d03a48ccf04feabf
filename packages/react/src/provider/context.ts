import type { ChatClient } from '@chatsdk/core';
import { createContext } from 'react';

/** The client `<ChatProvider>` gives its tree; null outside one. */
export const ChatClientContext = createContext<ChatClient | null>(null);
