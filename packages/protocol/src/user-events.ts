import type { Static } from 'typebox';
import type * as C from './schemas/channels.js';
import type * as M from './schemas/messages.js';
import type * as R from './schemas/reads.js';
import type { ModerationFlaggedEvent } from './moderation-events.js';

type ChannelState = Static<typeof C.ChannelState>;
type Member = Static<typeof C.Member>;
type Message = Static<typeof M.Message>;
type ReadState = Static<typeof R.ReadState>;

/**
 * The name of a user's personal stream. The server subscribes every
 * connection to its user's stream at connect; channel ids cannot start with
 * `#`, so the name never collides with a channel's.
 */
export function personalChannel(userId: string): string {
  return `#${userId}`;
}

/** Unread figures of the receiving user, as of the event: what a badge shows. */
export interface UnreadTotals {
  /** Unread messages in the event's channel. */
  unreadCount: number;
  /** Unread messages in all of the user's channels. */
  totalUnreadCount: number;
  /** Channels with at least one unread message. */
  unreadChannels: number;
  /** Unread mentions of the user in the event's channel. */
  unreadMentions: number;
  /** Unread mentions of the user in all their channels. */
  totalUnreadMentions: number;
}

/** The user was added to a channel (or joined it on another device). */
export interface AddedToChannelEvent {
  type: 'notification.added_to_channel';
  channelId: string;
  /** The channel as the user's channel list shows it. */
  state: ChannelState;
  member: Member;
  createdAt: string;
}
/** The user left or was removed from a channel. */
export interface RemovedFromChannelEvent {
  type: 'notification.removed_from_channel';
  channelId: string;
  createdAt: string;
}
/** One of the user's channels was deleted. */
export interface ChannelDeletedNotification {
  type: 'notification.channel_deleted';
  channelId: string;
  createdAt: string;
}
/** A message arrived in one of the user's channels that this connection does not watch. */
export interface NotificationMessageNewEvent extends UnreadTotals {
  type: 'notification.message_new';
  channelId: string;
  message: Message;
  createdAt: string;
}
/** The user read a channel (on any device): every connection of theirs updates its badges. */
export interface NotificationMarkReadEvent extends UnreadTotals {
  type: 'notification.mark_read';
  channelId: string;
  read: ReadState;
  createdAt: string;
}
/** Someone who shares a channel with the user came online: their first connection opened. */
export interface UserOnlineEvent {
  type: 'user.online';
  userId: string;
  createdAt: string;
}
/** Someone who shares a channel with the user went offline: their last connection closed (debounced). */
export interface UserOfflineEvent {
  type: 'user.offline';
  userId: string;
  lastActiveAt: string;
  createdAt: string;
}

/**
 * Everything a user's personal stream carries. These events are live only:
 * they have no offset and are not replayed after a reconnect, when a client
 * reloads its channel list and unread counts instead.
 */
export type UserEvent =
  | AddedToChannelEvent
  | RemovedFromChannelEvent
  | ChannelDeletedNotification
  | NotificationMessageNewEvent
  | NotificationMarkReadEvent
  | UserOnlineEvent
  | UserOfflineEvent
  /** To app moderators and admins only. */
  | ModerationFlaggedEvent;

/** A personal event's type name. */
export type UserEventType = UserEvent['type'];
