import type { Channel, ChannelRole, ChannelType, Member, Membership } from '@chatsdk/protocol';
import type { Selectable } from 'kysely';
import type { ChannelsTable, MembersTable } from '../../store/schema.js';
import { type BanRecord, banHolds } from '../auth/ban-records.js';
import { toIso } from '../common/ids.js';
import { flag, readJson } from '../common/json-columns.js';

/** A channel as the server holds it. */
export interface ChannelRecord {
  appId: string;
  id: string;
  type: ChannelType;
  name: string | null;
  image: string | null;
  custom: Record<string, unknown>;
  createdBy: string | null;
  distinct: boolean;
  memberCount: number;
  lastMessageSeq: number;
  lastMessageId: string | null;
  lastMessageAt: number | null;
  lastOffset: number;
  epoch: string;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
  /** Only moderators send or react. */
  frozen: boolean;
  /** Slow mode's interval between one member's sends, in seconds; 0: off. */
  cooldownSeconds: number;
  /** Names of the app's blocklists this channel applies (besides those of its type). */
  blocklists: string[];
}

/** A membership as the server holds it. */
export interface MemberRecord {
  appId: string;
  channelId: string;
  userId: string;
  role: ChannelRole;
  joinedAt: number;
  lastReadSeq: number;
  lastReadMessageId: string | null;
  lastReadAt: number | null;
  unreadMentions: number;
  muted: boolean;
  pinned: boolean;
  archived: boolean;
  /** When they last sent, for slow mode (ms); null: not since slow mode began to count. */
  lastSentAt: number | null;
}

/** Maps a row of `channels`. */
export function channelFromRow(row: Selectable<ChannelsTable>): ChannelRecord {
  return {
    appId: row.app_id,
    id: row.id,
    type: row.type as ChannelType,
    name: row.name,
    image: row.image,
    custom: readJson<Record<string, unknown>>(row.custom),
    createdBy: row.created_by,
    distinct: row.distinct_key !== null,
    memberCount: row.member_count,
    lastMessageSeq: row.last_message_seq,
    lastMessageId: row.last_message_id,
    lastMessageAt: row.last_message_at,
    lastOffset: row.last_offset,
    epoch: row.epoch,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
    frozen: flag.read(row.frozen),
    cooldownSeconds: row.cooldown_seconds,
    blocklists: readJson<string[]>(row.blocklists),
  };
}

/** Maps a row of `members`. */
export function memberFromRow(row: Selectable<MembersTable>): MemberRecord {
  return {
    appId: row.app_id,
    channelId: row.channel_id,
    userId: row.user_id,
    role: row.role as ChannelRole,
    joinedAt: row.joined_at,
    lastReadSeq: row.last_read_seq,
    lastReadMessageId: row.last_read_message_id,
    lastReadAt: row.last_read_at,
    unreadMentions: row.unread_mentions,
    muted: flag.read(row.muted),
    pinned: flag.read(row.pinned),
    archived: flag.read(row.archived),
    lastSentAt: row.last_sent_at === null ? null : Number(row.last_sent_at),
  };
}

/** The channel as the API returns it. */
export function toWireChannel(channel: ChannelRecord): Channel {
  return {
    id: channel.id,
    type: channel.type,
    name: channel.name,
    image: channel.image,
    custom: channel.custom,
    createdBy: channel.createdBy,
    distinct: channel.distinct,
    memberCount: channel.memberCount,
    lastMessageSeq: channel.lastMessageSeq,
    lastMessageAt: channel.lastMessageAt === null ? null : toIso(channel.lastMessageAt),
    offset: channel.lastOffset,
    epoch: channel.epoch,
    frozen: channel.frozen,
    cooldownSeconds: channel.cooldownSeconds,
    blocklists: channel.blocklists,
    createdAt: toIso(channel.createdAt),
    updatedAt: toIso(channel.updatedAt),
  };
}

/** A member as listed. */
export function toWireMember(member: MemberRecord): Member {
  return {
    userId: member.userId,
    role: member.role,
    joinedAt: toIso(member.joinedAt),
    lastReadSeq: member.lastReadSeq,
    lastReadAt: member.lastReadAt === null ? null : toIso(member.lastReadAt),
  };
}

/**
 * The ban a composer shows: one in force and not a shadow ban (its user must
 * not be able to tell). Undefined when there is none to show.
 */
export function shownBan(ban: BanRecord | undefined, now = Date.now()): Membership['ban'] {
  if (!banHolds(ban, now) || ban.shadow) return undefined;
  return { expiresAt: ban.expiresAt === null ? null : toIso(ban.expiresAt), channelId: ban.channelId };
}

/**
 * The caller's own membership, with the counts only the caller sees, and the
 * ban that keeps them from writing here (the channel's, else the app's), if any.
 */
export function toWireMembership(member: MemberRecord, unreadCount: number, ban?: BanRecord): Membership {
  const shown = shownBan(ban);
  return {
    role: member.role,
    muted: member.muted,
    pinned: member.pinned,
    archived: member.archived,
    joinedAt: toIso(member.joinedAt),
    lastReadSeq: member.lastReadSeq,
    unreadCount,
    unreadMentions: member.unreadMentions,
    ...(shown ? { ban: shown } : {}),
  };
}

/**
 * A new member's row: not muted, pinned or archived, no unread mentions, and
 * everything up to `readUpTo` read (a new joiner does not inherit history as
 * unread). Every way into a channel (create, add, join) starts here.
 */
export function newMemberRow(
  appId: string,
  channelId: string,
  userId: string,
  role: ChannelRole,
  joinedAt: number,
  readUpTo: { seq: number; messageId: string | null } = { seq: 0, messageId: null },
): Selectable<MembersTable> {
  return {
    app_id: appId,
    channel_id: channelId,
    user_id: userId,
    role,
    joined_at: joinedAt,
    last_read_seq: readUpTo.seq,
    last_read_message_id: readUpTo.messageId,
    last_read_at: null,
    unread_mentions: 0,
    muted: 0,
    pinned: 0,
    archived: 0,
    last_sent_at: null,
  };
}
