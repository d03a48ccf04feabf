import type { UnreadTotals } from '@chatsdk/protocol';
import type { UserCaller } from '../domain/auth/caller.js';
import type { MentionsAt, UnreadAt } from '../domain/reads/unread.js';
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

/** A user's unread messages and mentions, per channel, and the channels they muted. */
export interface UnreadFigures {
  unread: Map<string, number>;
  mentions: Map<string, number>;
  /** Muted channels: each shows its own count, and none counts in a total. */
  muted: ReadonlySet<string>;
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

/**
 * The badge figures for one channel out of a user's unread counts: the
 * channel's own, even when muted, and totals without the muted channels
 * (the same rule as GET /api/users/me/unread).
 */
export function totals(counts: UnreadFigures | undefined, channelId: string): UnreadTotals {
  const unread = counts?.unread ?? new Map<string, number>();
  const mentions = counts?.mentions ?? new Map<string, number>();
  const muted = counts?.muted ?? new Set<string>();
  const audible = (figures: Map<string, number>) => [...figures].filter(([id, count]) => count > 0 && !muted.has(id)).map(([, count]) => count);
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const unreadCounts = audible(unread);
  return {
    unreadCount: unread.get(channelId) ?? 0,
    totalUnreadCount: sum(unreadCounts),
    unreadChannels: unreadCounts.length,
    unreadMentions: mentions.get(channelId) ?? 0,
    totalUnreadMentions: sum(audible(mentions)),
  };
}

/** A user's figures as the unread counts read them, with the muted channels of either. */
export function figures(unread: Map<string, UnreadAt>, mentions: Map<string, MentionsAt>): UnreadFigures {
  const muted = new Set<string>();
  for (const [channelId, at] of [...unread, ...mentions]) if (at.muted) muted.add(channelId);
  return {
    unread: new Map([...unread].map(([channelId, { count }]) => [channelId, count])),
    mentions: new Map([...mentions].map(([channelId, { count }]) => [channelId, count])),
    muted,
  };
}

/** Whether a connected user reviews the app's flags: its app moderators and admins, by their role at connect. */
export function reviewsFlags(user: LocalUser): boolean {
  return user.caller.user.role === 'moderator' || user.caller.user.role === 'admin';
}
