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
export { useChannelName } from './hooks/use-channel-name.js';
export { usePinnedMessages } from './hooks/use-pinned-messages.js';
export type { PinnedMessagesState } from './hooks/use-pinned-messages.js';
export { Channel } from './components/Channel.js';
export type { ChannelProps } from './components/Channel.js';
export { ChannelContext, useChannelContext, useChannelView, createChannelView } from './components/channel-context.js';
export type { ChannelContextValue, ChannelViewState, ChannelPanel as ChannelPanelKind } from './components/channel-context.js';
export { ChannelList } from './components/ChannelList.js';
export type { ChannelListProps } from './components/ChannelList.js';
export { ChannelPreview } from './components/ChannelPreview.js';
export type { ChannelPreviewProps } from './components/ChannelPreview.js';
export { ChannelHeader } from './components/ChannelHeader.js';
export { ChannelPanel } from './components/ChannelPanel.js';
export { MessageList } from './components/MessageList.js';
export type { MessageListProps } from './components/MessageList.js';
export { Message } from './components/Message.js';
export type { MessageProps } from './components/Message.js';
export { MessageActions } from './components/MessageActions.js';
export { MessageInput } from './components/MessageInput.js';
export type { MessageInputProps } from './components/MessageInput.js';
export { EmojiPicker, DEFAULT_EMOJI } from './components/EmojiPicker.js';
export { Thread } from './components/Thread.js';
export { ReactionPicker, ReactionBar, DEFAULT_REACTIONS, reactionEmoji } from './components/reactions.js';
export type { ReactionOption, ReactionPickerProps, ReactionBarProps } from './components/reactions.js';
export { TypingIndicator } from './components/TypingIndicator.js';
export { ReadReceipts } from './components/ReadReceipts.js';
export type { ReadReceiptsProps } from './components/ReadReceipts.js';
export { Avatar } from './components/Avatar.js';
export type { AvatarProps } from './components/Avatar.js';
export { MemberList } from './components/MemberList.js';
export { PinnedMessages } from './components/PinnedMessages.js';
export { ChatTheme } from './components/ChatTheme.js';
export type { ChatThemeProps } from './components/ChatTheme.js';
