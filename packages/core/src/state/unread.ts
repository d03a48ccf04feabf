import type { Message, UnreadResponse, UnreadTotals } from '@chatsdk/protocol';
import { countsAsUnread } from '../channel/apply-event.js';
import { Store } from '../store.js';

/** One channel's unread figures. */
export interface ChannelUnread {
  unreadCount: number;
  unreadMentions: number;
}

/** Snapshot of the user's unread totals: what a badge shows. */
export interface UnreadState {
  /** Unread messages in all channels. */
  total: number;
  /** Unread mentions of the user in all channels. */
  totalMentions: number;
  /** Channels with at least one unread message. */
  unreadChannels: number;
  /** Per channel, for channels with unread messages or mentions. */
  channels: Readonly<Record<string, ChannelUnread>>;
  /** Loaded from the server at least once. */
  ready: boolean;
}

function totals(channels: Record<string, ChannelUnread>, ready: boolean, total?: number, unreadChannels?: number): UnreadState {
  const list = Object.values(channels);
  return {
    total: total ?? list.reduce((sum, item) => sum + item.unreadCount, 0),
    totalMentions: list.reduce((sum, item) => sum + item.unreadMentions, 0),
    unreadChannels: unreadChannels ?? list.filter((item) => item.unreadCount > 0).length,
    channels,
    ready,
  };
}

/** The user's unread counts, from `GET /api/users/me/unread`, kept current from events. */
export class UnreadStore extends Store<UnreadState> {
  /** Per channel, the newest message the last summary had counted: its events must not count it again. */
  private counted = new Map<string, number>();

  constructor(
    private readonly me: () => string | undefined,
    private readonly fetchSummary: () => Promise<UnreadResponse>,
  ) {
    super(totals({}, false));
  }

  /** Reloads the figures from the server. */
  async refresh(): Promise<UnreadState> {
    this.load(await this.fetchSummary());
    return this.getSnapshot();
  }

  /** Forgets everything (the user logged out). */
  reset(): void {
    this.counted.clear();
    this.set(totals({}, false));
  }

  /** Takes the server's summary. */
  load(summary: UnreadResponse): void {
    const channels: Record<string, ChannelUnread> = {};
    // A message's event may arrive after a summary that already counted it (the answer outran the push).
    this.counted = new Map(summary.channels.map((item) => [item.channelId, item.lastMessageSeq]));
    for (const item of summary.channels) channels[item.channelId] = { unreadCount: item.unreadCount, unreadMentions: item.unreadMentions };
    this.set({ ...totals(channels, true, summary.total), totalMentions: summary.totalMentions });
  }

  /** A new message in a watched channel. */
  messageNew(message: Message): void {
    const me = this.me();
    if (message.userId === me) return this.setChannel(message.channelId, { unreadCount: 0, unreadMentions: 0 });
    if (!countsAsUnread(message, me)) return;
    if (message.seq <= (this.counted.get(message.channelId) ?? 0)) return;
    const current = this.getSnapshot().channels[message.channelId] ?? { unreadCount: 0, unreadMentions: 0 };
    const mentioned = me !== undefined && message.mentionedUsers.includes(me);
    this.setChannel(message.channelId, { unreadCount: current.unreadCount + 1, unreadMentions: current.unreadMentions + (mentioned ? 1 : 0) });
  }

  /** Exact figures from the server (a read, a notification). */
  setChannel(channelId: string, unread: ChannelUnread, figures?: UnreadTotals): void {
    const state = this.getSnapshot();
    const current = state.channels[channelId];
    if (!figures && current?.unreadCount === unread.unreadCount && current.unreadMentions === unread.unreadMentions) return;
    if (!figures && !current && unread.unreadCount === 0 && unread.unreadMentions === 0) return;
    const channels = { ...state.channels };
    if (unread.unreadCount === 0 && unread.unreadMentions === 0) delete channels[channelId];
    else channels[channelId] = unread;
    const next = totals(channels, state.ready, figures?.totalUnreadCount, figures?.unreadChannels);
    this.set(figures ? { ...next, totalMentions: figures.totalUnreadMentions } : next);
  }

  /** The channel is gone for the user. */
  drop(channelId: string): void {
    this.setChannel(channelId, { unreadCount: 0, unreadMentions: 0 });
  }
}
