import type { ChannelState, ChannelsPage, ListChannelsQuery, Message, RealtimeChannelEvent, UserEvent } from '@chatsdk/protocol';
import { countsAsUnread } from '../channel/apply-event.js';
import { Store, type ReadableStore } from '../store.js';

/** Snapshot of the channel list. */
export interface ChannelListState {
  /** Newest activity first (last message, else creation). */
  channels: readonly ChannelState[];
  /** Cursor of the next page; null at the end. */
  next: string | null;
  /** A page is being loaded. */
  loading: boolean;
  /** The first page has been loaded. */
  ready: boolean;
}

function activity(state: ChannelState): string {
  return state.channel.lastMessageAt ?? state.channel.createdAt;
}

/** Ordered by last message, newest first; ties by id, so the order is stable. */
function sorted(list: ChannelState[]): ChannelState[] {
  return list.sort((a, b) => {
    const x = activity(a);
    const y = activity(b);
    return x < y ? 1 : x > y ? -1 : a.channel.id < b.channel.id ? -1 : 1;
  });
}

/**
 * The user's channel list: loaded with `query()`, kept current from the
 * watched channels' events and the personal stream (new channels, removals,
 * messages and unread counts of channels not watched).
 */
export class ChannelListStore implements ReadableStore<ChannelListState> {
  private readonly store = new Store<ChannelListState>({ channels: [], next: null, loading: false, ready: false });
  /** Bound, for `useSyncExternalStore`. */
  readonly subscribe = this.store.subscribe;
  /** Bound, for `useSyncExternalStore`. */
  readonly getSnapshot = this.store.getSnapshot;
  private filters: ListChannelsQuery = {};

  constructor(
    private readonly fetchPage: (query: ListChannelsQuery) => Promise<ChannelsPage>,
    private readonly me: () => string | undefined,
  ) {}

  /** Loads the first page with these filters (they are kept for `loadMore` and reloads). */
  async query(filters: ListChannelsQuery = {}): Promise<ChannelsPage> {
    this.filters = filters;
    this.store.update((state) => ({ ...state, loading: true }));
    try {
      const page = await this.fetchPage(filters);
      // Events may have moved a channel on while the page was on its way: the newer of the two stays.
      const current = new Map(this.getSnapshot().channels.map((item) => [item.channel.id, item]));
      const channels = page.channels.map((item) => {
        const known = current.get(item.channel.id);
        return known && known.channel.lastMessageSeq > item.channel.lastMessageSeq ? known : item;
      });
      this.store.set({ channels: sorted(channels), next: page.next, loading: false, ready: true });
      return page;
    } catch (error) {
      this.store.update((state) => ({ ...state, loading: false }));
      throw error;
    }
  }

  /** Loads the next page, if there is one. */
  async loadMore(): Promise<ChannelsPage | undefined> {
    const cursor = this.getSnapshot().next;
    if (!cursor) return undefined;
    const page = await this.fetchPage({ ...this.filters, cursor });
    this.store.update((state) => {
      const known = new Set(state.channels.map((item) => item.channel.id));
      return { ...state, channels: sorted([...state.channels, ...page.channels.filter((item) => !known.has(item.channel.id))]), next: page.next };
    });
    return page;
  }

  /** Reloads the first page with the last filters (after a reconnect: the personal stream does not replay). */
  reload(): Promise<ChannelsPage> | undefined {
    return this.getSnapshot().ready ? this.query(this.filters) : undefined;
  }

  /** Puts a channel's state in (created, fetched, added to). */
  put(state: ChannelState): void {
    this.store.update((list) => ({ ...list, channels: sorted([...list.channels.filter((item) => item.channel.id !== state.channel.id), state]) }));
  }

  /** Forgets the list (the user logged out). */
  reset(): void {
    this.filters = {};
    this.store.set({ channels: [], next: null, loading: false, ready: false });
  }

  /** Replaces a listed channel's state with a fresher one; nothing when it is not listed. */
  refresh(state: ChannelState): void {
    this.change(state.channel.id, () => state);
  }

  /** Takes a channel out. */
  remove(channelId: string): void {
    this.store.update((list) => (list.channels.some((item) => item.channel.id === channelId) ? { ...list, channels: list.channels.filter((item) => item.channel.id !== channelId) } : list));
  }

  /** Changes one listed channel; nothing when it is not listed. */
  private change(channelId: string, change: (state: ChannelState) => ChannelState): void {
    this.store.update((list) => {
      const index = list.channels.findIndex((item) => item.channel.id === channelId);
      if (index < 0) return list;
      const channels = [...list.channels];
      channels[index] = change(channels[index] as ChannelState);
      return { ...list, channels: sorted(channels) };
    });
  }

  private newMessage(channelId: string, message: Message, unreadCount?: number): void {
    if (message.parentId !== null && !message.showInChannel) return;
    const me = this.me();
    this.change(channelId, (state) => ({
      channel: { ...state.channel, lastMessageAt: message.createdAt, lastMessageSeq: Math.max(state.channel.lastMessageSeq, message.seq) },
      lastMessage: message,
      membership: state.membership && {
        ...state.membership,
        unreadCount: unreadCount ?? (countsAsUnread(message, me) && message.seq > state.membership.lastReadSeq ? state.membership.unreadCount + 1 : state.membership.unreadCount),
        ...(message.userId === me ? { lastReadSeq: Math.max(state.membership.lastReadSeq, message.seq), unreadCount: 0 } : {}),
      },
    }));
  }

  /** An event of a watched channel. */
  applyChannelEvent(event: RealtimeChannelEvent, state: ChannelState | null): void {
    switch (event.type) {
      case 'message.new':
        return this.newMessage(event.channelId, event.message);
      case 'message.updated':
      case 'message.deleted':
        return this.change(event.channelId, (item) => (item.lastMessage?.id === event.message.id ? { ...item, lastMessage: event.message } : item));
      case 'channel.updated':
      case 'channel.truncated':
        if (state) this.change(event.channelId, () => state);
        return;
      case 'channel.deleted':
        return this.remove(event.channelId);
      default:
        return;
    }
  }

  /** An event of the personal stream. */
  applyUserEvent(event: UserEvent): void {
    switch (event.type) {
      case 'notification.added_to_channel':
        return this.put(event.state);
      case 'notification.removed_from_channel':
      case 'notification.channel_deleted':
        return this.remove(event.channelId);
      case 'notification.message_new':
        return this.newMessage(event.channelId, event.message, event.unreadCount);
      case 'notification.mark_read':
        return this.change(event.channelId, (item) => ({
          ...item,
          membership: item.membership && { ...item.membership, lastReadSeq: Math.max(item.membership.lastReadSeq, event.read.lastReadSeq), unreadCount: event.unreadCount },
        }));
      default:
        return;
    }
  }
}
