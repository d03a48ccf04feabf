/**
 * @chatsdk/core: the framework-agnostic ChatSDK client. REST and realtime
 * behind one `ChatClient`, state as subscribable stores, optimistic writes
 * through a persisted outbox.
 */
export { ChatClient } from './client.js';
export type { ChatClientOptions, ChatClientEvents } from './client.js';
export { ChatError, isChatError } from './errors.js';
export type { ClientErrorCode } from './errors.js';
export type { Subscription } from './emitter.js';
export { Store } from './store.js';
export type { ReadableStore } from './store.js';
export type { TokenPair, TokenProvider, UnauthorizedContext } from './auth/tokens.js';
export type { FetchLike } from './http/requests.js';
export type { ConnectionState, ConnectionStatus, WebSocketClass } from './realtime/connection.js';
export { ChatChannel } from './channel/channel.js';
export type { MessageInput, SendMessageOptions } from './channel/writes.js';
export type { TypingUser } from './channel/typing.js';
export { ChannelsApi } from './api/channels.js';
export type { DirectMessageOptions } from './api/channels.js';
export { UsersApi } from './api/users.js';
export { MentionsApi } from './api/mentions.js';
export { ModerationApi } from './api/moderation.js';
export type { ReviewOptions } from './api/moderation.js';
export { BlocklistsApi } from './api/blocklists.js';
export { ChannelModeration, moderates } from './channel/moderation.js';
export type { SendState } from './channel/moderation.js';
export { FlagQueueStore } from './state/flag-queue.js';
export type { FlagQueueState } from './state/flag-queue.js';
export { UploadsApi } from './api/uploads.js';
export { linkExpiresAt } from './uploads/links.js';
export type { FileBytes, FileInput, LocalFile, LocalFileState, NativeFile, UploadOptions, UploadProgress } from './uploads/types.js';
export { MessageWindow } from './state/message-window.js';
export type { MessageWindowState } from './state/message-window.js';
export type { LocalMessage, MessageStatus } from './state/message-list.js';
export { ChannelListStore } from './state/channel-list.js';
export type { ChannelListState } from './state/channel-list.js';
export { UnreadStore } from './state/unread.js';
export type { UnreadState, ChannelUnread } from './state/unread.js';
export { PresenceStore } from './state/presence.js';
export { memoryStorage } from './offline/storage.js';
export type { OutboxStorage, OutboxEntry, OutboxOperation, OutboxFile } from './offline/storage.js';
export { indexedDbStorage } from './offline/indexeddb.js';
export { keyValueStorage } from './offline/key-value.js';
export type { AsyncKeyValueStore, KeyValueStorageOptions } from './offline/key-value.js';
