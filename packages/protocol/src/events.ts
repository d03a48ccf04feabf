import type { Static } from 'typebox';
import type * as C from './schemas/channels.js';
import type * as M from './schemas/messages.js';
import type * as R from './schemas/reads.js';

type Channel = Static<typeof C.Channel>;
type Member = Static<typeof C.Member>;
type Message = Static<typeof M.Message>;
type Reaction = Static<typeof M.Reaction>;
type ReadState = Static<typeof R.ReadState>;

/**
 * Fields every channel event carries. `offset` is the event's position in the
 * channel's stream: durable events have one, transient ones (typing) do not.
 */
interface ChannelEventBase {
  channelId: string;
  offset?: number;
  createdAt: string;
}

/** What a thread's parent looks like after a reply: carried by the reply's `message.new`. */
export interface ThreadSummary {
  id: string;
  replyCount: number;
  lastReplyAt: string | null;
  threadParticipants: string[];
}

/** A message was sent. */
export interface MessageNewEvent extends ChannelEventBase {
  type: 'message.new';
  message: Message;
  /** Set for thread replies: the parent's new reply count and participants. */
  thread?: ThreadSummary;
}
/** A message was edited, pinned or unpinned. */
export interface MessageUpdatedEvent extends ChannelEventBase {
  type: 'message.updated';
  message: Message;
}
/** A message was deleted: a tombstone, or gone for good when `hard`. */
export interface MessageDeletedEvent extends ChannelEventBase {
  type: 'message.deleted';
  message: Message;
  hard: boolean;
}
/** A reaction was added (or its score changed). */
export interface ReactionNewEvent extends ChannelEventBase {
  type: 'reaction.new';
  reaction: Reaction;
  message: Message;
}
/** A reaction was removed. */
export interface ReactionDeletedEvent extends ChannelEventBase {
  type: 'reaction.deleted';
  reaction: Reaction;
  message: Message;
}
/** Someone joined or was added. */
export interface MemberAddedEvent extends ChannelEventBase {
  type: 'member.added';
  member: Member;
}
/** Someone left or was removed. */
export interface MemberRemovedEvent extends ChannelEventBase {
  type: 'member.removed';
  userId: string;
}
/** A member's role changed. */
export interface MemberUpdatedEvent extends ChannelEventBase {
  type: 'member.updated';
  member: Member;
}
/** Name, image or custom data changed. */
export interface ChannelUpdatedEvent extends ChannelEventBase {
  type: 'channel.updated';
  channel: Channel;
}
/** The channel was deleted. */
export interface ChannelDeletedEvent extends ChannelEventBase {
  type: 'channel.deleted';
}
/** Every message of the channel was removed. */
export interface ChannelTruncatedEvent extends ChannelEventBase {
  type: 'channel.truncated';
  channel: Channel;
}
/** A member read up to a message. */
export interface MessageReadEvent extends ChannelEventBase {
  type: 'message.read';
  read: ReadState;
}

/** Every event of a channel's stream, discriminated by `type`. */
export type ChannelEvent =
  | MessageNewEvent
  | MessageUpdatedEvent
  | MessageDeletedEvent
  | ReactionNewEvent
  | ReactionDeletedEvent
  | MemberAddedEvent
  | MemberRemovedEvent
  | MemberUpdatedEvent
  | ChannelUpdatedEvent
  | ChannelDeletedEvent
  | ChannelTruncatedEvent
  | MessageReadEvent;

/** Someone started typing (in a thread when `parentId` is set). Transient: no offset, never replayed. */
export interface TypingStartEvent {
  type: 'typing.start';
  channelId: string;
  createdAt: string;
  userId: string;
  parentId?: string;
}
/** Someone stopped typing, or was silent for 7 seconds after a start. Transient. */
export interface TypingStopEvent {
  type: 'typing.stop';
  channelId: string;
  createdAt: string;
  userId: string;
  parentId?: string;
}

/** Events published on a channel's stream without being stored: no offset, not recovered. */
export type TransientChannelEvent = TypingStartEvent | TypingStopEvent;

/** Everything a channel subscription receives. */
export type RealtimeChannelEvent = ChannelEvent | TransientChannelEvent;

/** An event's type name. */
export type ChannelEventType = ChannelEvent['type'];

/** An event as a domain function emits it: the store assigns `channelId`, `offset` and `createdAt`. */
export type ChannelEventInput = ChannelEvent extends infer E
  ? E extends ChannelEvent
    ? Omit<E, keyof ChannelEventBase>
    : never
  : never;
