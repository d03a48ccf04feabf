/**
 * @chatsdk/react: a provider, hooks over the `@chatsdk/core` stores (each
 * re-rendering only when its slice changes) and themable chat components.
 * Styles: `import '@chatsdk/react/styles.css'`.
 */
export { ChatProvider } from './provider/ChatProvider.js';
export type { ChatProviderProps } from './provider/ChatProvider.js';
export { useChatClient, useConnectionState, useCurrentUserId } from './hooks/use-chat-client.js';
export { useChannels } from './hooks/use-channels.js';
export type { ChannelSort, UseChannelsResult } from './hooks/use-channels.js';
export { useChannel, useChannelState } from './hooks/use-channel.js';
export { useMessages, useThread } from './hooks/use-messages.js';
export type { UseMessagesResult, ThreadParent } from './hooks/use-messages.js';
export { useTypingUsers } from './hooks/use-typing-users.js';
export { usePresence } from './hooks/use-presence.js';
export { useUnreadCount } from './hooks/use-unread-count.js';
export type { UnreadCount } from './hooks/use-unread-count.js';
export { useReadReceipts } from './hooks/use-read-receipts.js';
export { useMembers } from './hooks/use-members.js';
export { useSendMessage } from './hooks/use-send-message.js';
export { useUser, useUserName } from './hooks/use-user.js';
export { useStore, useStoreSelector } from './hooks/use-store.js';
export { MessageText } from './text/MessageText.js';
export type { MessageTextProps } from './text/MessageText.js';
export { tokenize, safeHref } from './text/tokens.js';
export type { TextToken } from './text/tokens.js';
