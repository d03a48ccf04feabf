import type { ChannelState, Member, Message, ReadState, RealtimeChannelEvent, Reaction } from '@chatsdk/protocol';
import type { LocalMessage } from '../state/message-list.js';
import type { MessageWindow } from '../state/message-window.js';
import type { Store } from '../store.js';
import type { TypingStore } from './typing.js';

/** The stores of one channel that its events change. */
export interface ChannelStores {
  me(): string | undefined;
  state: Store<ChannelState | null>;
  messages: MessageWindow;
  threads: ReadonlyMap<string, MessageWindow>;
  typing: TypingStore;
  reads: Store<Readonly<Record<string, ReadState>>>;
  members: Store<readonly Member[]>;
}

/** Whether a message raises its receiver's unread count (the server's rule: others', not silent, not thread-only, not deleted). */
export function countsAsUnread(message: Message, me: string | undefined): boolean {
  return message.userId !== me && !message.silent && (message.parentId === null || message.showInChannel) && message.deletedAt === null;
}

/** Every window a message of this channel can show in. */
export function windowsOf(stores: ChannelStores, parentId: string | null) {
  const thread = parentId ? stores.threads.get(parentId) : undefined;
  return thread ? [stores.messages, thread] : [stores.messages];
}

function byUserId(a: Member, b: Member): number {
  return a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;
}

/** The user's own reactions after a reaction event: events carry the counts, not the receiver's view. */
function ownAfter(own: readonly Reaction[], reaction: Reaction, added: boolean): Reaction[] {
  const rest = own.filter((item) => item.type !== reaction.type);
  return added ? [...rest, reaction] : rest;
}

/** A message everywhere it shows: the channel window, its thread's window, the channel's last message. */
function putEverywhere(stores: ChannelStores, message: Message, patchOwn?: (message: LocalMessage) => LocalMessage): void {
  stores.messages.putServer(message, true);
  if (patchOwn) stores.messages.patch(message.id, patchOwn);
  const thread = message.parentId ? stores.threads.get(message.parentId) : undefined;
  if (thread) {
    thread.putServer(message, true);
    if (patchOwn) thread.patch(message.id, patchOwn);
  }
  stores.state.update((state) => (state && state.lastMessage?.id === message.id ? { ...state, lastMessage: message } : state));
}

function removeEverywhere(stores: ChannelStores, message: Message): void {
  stores.messages.remove(message.id);
  if (message.parentId) stores.threads.get(message.parentId)?.remove(message.id);
  stores.state.update((state) => (state && state.lastMessage?.id === message.id ? { ...state, lastMessage: null } : state));
}

function onMessageNew(stores: ChannelStores, message: Message, thread: { replyCount: number; lastReplyAt: string | null; threadParticipants: string[] } | undefined): void {
  putEverywhere(stores, message);
  if (message.userId) stores.typing.apply({ type: 'typing.stop', channelId: message.channelId, createdAt: message.createdAt, userId: message.userId, ...(message.parentId ? { parentId: message.parentId } : {}) });
  if (message.parentId && thread) {
    const summary = { replyCount: thread.replyCount, lastReplyAt: thread.lastReplyAt, threadParticipants: thread.threadParticipants };
    stores.messages.patch(message.parentId, (parent) => ({ ...parent, ...summary }));
  }
  const me = stores.me();
  stores.state.update((state) => {
    if (!state) return state;
    const inChannel = message.parentId === null || message.showInChannel;
    const channel = inChannel ? { ...state.channel, lastMessageSeq: Math.max(state.channel.lastMessageSeq, message.seq), lastMessageAt: message.createdAt } : state.channel;
    const membership = state.membership && countsAsUnread(message, me) && message.seq > state.membership.lastReadSeq ? { ...state.membership, unreadCount: state.membership.unreadCount + 1 } : state.membership;
    return { channel, lastMessage: inChannel ? message : state.lastMessage, membership };
  });
}

/** Applies one channel event to the channel's stores; every change makes new snapshots. */
export function applyEvent(stores: ChannelStores, event: RealtimeChannelEvent): void {
  const me = stores.me();
  switch (event.type) {
    case 'message.new':
      return onMessageNew(stores, event.message, event.thread);
    case 'message.updated':
      return putEverywhere(stores, event.message);
    case 'message.deleted':
      return event.hard ? removeEverywhere(stores, event.message) : putEverywhere(stores, event.message);
    case 'reaction.new':
    case 'reaction.deleted': {
      const mine = event.reaction.userId === me;
      const added = event.type === 'reaction.new';
      return putEverywhere(stores, event.message, mine ? (message) => ({ ...message, ownReactions: ownAfter(message.ownReactions, event.reaction, added) }) : undefined);
    }
    case 'member.added':
    case 'member.updated': {
      const member = event.member;
      const known = stores.members.getSnapshot().some((item) => item.userId === member.userId);
      stores.members.update((list) => [...list.filter((item) => item.userId !== member.userId), member].sort(byUserId));
      stores.state.update((state) => {
        if (!state) return state;
        const channel = known || event.type === 'member.updated' ? state.channel : { ...state.channel, memberCount: state.channel.memberCount + 1 };
        const membership = state.membership && member.userId === me ? { ...state.membership, role: member.role } : state.membership;
        return { ...state, channel, membership };
      });
      return;
    }
    case 'member.removed': {
      const known = stores.members.getSnapshot().some((item) => item.userId === event.userId);
      if (known) stores.members.update((list) => list.filter((item) => item.userId !== event.userId));
      stores.state.update((state) => (state ? { ...state, channel: { ...state.channel, memberCount: Math.max(0, state.channel.memberCount - 1) }, membership: event.userId === me ? null : state.membership } : state));
      return;
    }
    case 'channel.updated':
      stores.state.update((state) => (state ? { ...state, channel: event.channel } : state));
      return;
    case 'channel.truncated':
      stores.state.update((state) => (state ? { ...state, channel: event.channel, lastMessage: null, membership: state.membership && { ...state.membership, unreadCount: 0, unreadMentions: 0 } } : state));
      stores.messages.clearSent();
      for (const thread of stores.threads.values()) thread.clearSent();
      return;
    case 'channel.deleted':
      stores.messages.clearSent();
      stores.typing.reset();
      return;
    case 'message.read': {
      const read = event.read;
      stores.reads.update((reads) => ({ ...reads, [read.userId]: read }));
      if (read.userId === me) {
        stores.state.update((state) =>
          state?.membership && read.lastReadSeq > state.membership.lastReadSeq
            ? { ...state, membership: { ...state.membership, lastReadSeq: read.lastReadSeq, ...(read.lastReadSeq >= state.channel.lastMessageSeq ? { unreadCount: 0, unreadMentions: 0 } : {}) } }
            : state,
        );
      }
      return;
    }
    case 'typing.start':
    case 'typing.stop':
      return stores.typing.apply(event);
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}
