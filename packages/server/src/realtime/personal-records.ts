import type { UnreadTotals } from '@chatsdk/protocol';
import type { UserCaller } from '../domain/auth/caller.js';
import type { Publication } from './framing.js';

/** What a personal stream needs of a connection. */
export interface PersonalReceiver {
  /** Whether the connection is subscribed to the channel: then the channel's own stream tells it. */
  isWatching(channelId: string): boolean;
  /** Queues a publication of the connection's personal stream, framed by the connection's framing. */
  sendPersonal(publication: Publication): void;
}

/** A presence change as processes tell each other: the user's channels say whom it concerns. */
export interface PresenceNotice {
  type: 'user.online' | 'user.offline';
  userId: string;
  createdAt: string;
  lastActiveAt?: string;
  channelIds: string[];
}

/** Something to tell a user, waiting its turn so that a user's events arrive in order. */
export interface Pending {
  /** Needs the user's unread counts, read once for every pending event that needs them. */
  needsCounts: boolean;
  deliver(counts: UnreadFigures | undefined): Promise<void> | void;
}

/** A user's unread messages and mentions, per channel. */
export interface UnreadFigures {
  unread: Map<string, number>;
  mentions: Map<string, number>;
}

/** A user with a connection on this process (or one that just closed, for the length of the debounce). */
export interface LocalUser {
  appId: string;
  userId: string;
  caller: UserCaller;
  connections: Set<PersonalReceiver>;
  channels: Set<string>;
  /** While the user's channels load, membership changes wait here and apply after. */
  loading: Array<() => void> | undefined;
  ready: Promise<void>;
  queue: Pending[];
  draining: boolean;
  departure: NodeJS.Timeout | undefined;
}

/** A local user's key. */
export const userKey = (appId: string, userId: string) => `${appId}\n${userId}`;
/** A channel's key among the local members index. */
export const channelKey = (appId: string, channelId: string) => `${appId}\n#${channelId}`;

/** The badge figures for one channel out of a user's unread counts. */
export function totals(counts: UnreadFigures | undefined, channelId: string): UnreadTotals {
  const sum = (values: Iterable<number>) => {
    let total = 0;
    for (const value of values) total += value;
    return total;
  };
  const unread = counts?.unread ?? new Map<string, number>();
  const mentions = counts?.mentions ?? new Map<string, number>();
  return {
    unreadCount: unread.get(channelId) ?? 0,
    totalUnreadCount: sum(unread.values()),
    unreadChannels: [...unread.values()].filter((count) => count > 0).length,
    unreadMentions: mentions.get(channelId) ?? 0,
    totalUnreadMentions: sum(mentions.values()),
  };
}
