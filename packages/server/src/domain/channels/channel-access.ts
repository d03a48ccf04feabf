import type { Kysely } from 'kysely';
import { ApiError } from '../../errors.js';
import type { Database } from '../../store/schema.js';
import { type BanRecord, banHolds } from '../auth/ban-records.js';
import type { Caller } from '../auth/caller.js';
import { type Authority, authorityOf, rankOf, SUPREME } from '../auth/roles.js';
import { type ChannelRecord, channelFromRow, type MemberRecord, memberFromRow } from './channel-records.js';
import { type ChannelTypeConfig, channelTypeConfig } from './channel-types.js';

/** A channel as one caller may use it. */
export interface ChannelAccess {
  caller: Caller;
  channel: ChannelRecord;
  /** The calling user's membership; undefined for non-members and the server. */
  member: MemberRecord | undefined;
  config: ChannelTypeConfig;
  authority: Authority;
  /** The calling user's ban in force here: from this channel, else from the app. Undefined for the server. */
  ban: BanRecord | undefined;
}

function notFound(channelId: string): ApiError {
  return new ApiError('channel_not_found', `no channel "${channelId}" in this app`);
}

/** The live channel and the caller's membership of it. Channels of other apps, deleted ones and invisible ones are all 404. */
export async function accessChannel(db: Kysely<Database>, caller: Caller, channelId: string): Promise<ChannelAccess> {
  if (caller.kind === 'server') {
    const row = await db
      .selectFrom('channels')
      .selectAll()
      .where('app_id', '=', caller.app.id)
      .where('id', '=', channelId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw notFound(channelId);
    const channel = channelFromRow(row);
    return { caller, channel, member: undefined, config: channelTypeConfig(channel.type), authority: SUPREME, ban: undefined };
  }
  // The channel, the caller's membership and their ban from it in one statement: every channel call starts here, and on
  // PostgreSQL a round trip costs more than the lookup.
  const userId = caller.user.id;
  const row = await db
    .selectFrom('channels')
    .leftJoin('members', (join) =>
      join.onRef('members.app_id', '=', 'channels.app_id').onRef('members.channel_id', '=', 'channels.id').on('members.user_id', '=', userId),
    )
    .leftJoin('bans', (join) =>
      join.onRef('bans.app_id', '=', 'channels.app_id').onRef('bans.channel_id', '=', 'channels.id').on('bans.user_id', '=', userId),
    )
    .selectAll('channels')
    .select([
      'members.user_id as member_user_id',
      'members.role as member_role',
      'members.joined_at as member_joined_at',
      'members.last_read_seq as member_last_read_seq',
      'members.last_read_message_id as member_last_read_message_id',
      'members.last_read_at as member_last_read_at',
      'members.unread_mentions as member_unread_mentions',
      'members.muted as member_muted',
      'members.pinned as member_pinned',
      'members.archived as member_archived',
      'members.last_sent_at as member_last_sent_at',
      'bans.shadow as ban_shadow',
      'bans.reason as ban_reason',
      'bans.banned_by as ban_banned_by',
      'bans.created_at as ban_created_at',
      'bans.expires_at as ban_expires_at',
    ])
    .where('channels.app_id', '=', caller.app.id)
    .where('channels.id', '=', channelId)
    .where('channels.deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw notFound(channelId);
  const channel = channelFromRow(row);
  const member =
    row.member_user_id === null
      ? undefined
      : memberFromRow({
          app_id: row.app_id,
          channel_id: row.id,
          user_id: row.member_user_id,
          role: row.member_role ?? 'member',
          joined_at: row.member_joined_at ?? 0,
          last_read_seq: row.member_last_read_seq ?? 0,
          last_read_message_id: row.member_last_read_message_id,
          last_read_at: row.member_last_read_at,
          unread_mentions: row.member_unread_mentions ?? 0,
          muted: row.member_muted ?? 0,
          pinned: row.member_pinned ?? 0,
          archived: row.member_archived ?? 0,
          last_sent_at: row.member_last_sent_at,
        });
  const channelBan: BanRecord | undefined =
    row.ban_created_at === null
      ? undefined
      : {
          appId: row.app_id,
          userId,
          channelId,
          shadow: row.ban_shadow === 1,
          reason: row.ban_reason,
          bannedBy: row.ban_banned_by,
          createdAt: Number(row.ban_created_at),
          expiresAt: row.ban_expires_at === null ? null : Number(row.ban_expires_at),
        };
  const access = userAccess(caller, channel, member, banHolds(channelBan) ? channelBan : undefined);
  if (!canSee(access)) throw notFound(channelId);
  return access;
}

function userAccess(caller: Caller, channel: ChannelRecord, member: MemberRecord | undefined, channelBan?: BanRecord): ChannelAccess {
  const config = channelTypeConfig(channel.type);
  if (caller.kind === 'server') return { caller, channel, member: undefined, config, authority: SUPREME, ban: undefined };
  // A ban read with the caller at authentication may have expired since; the channel's own ban was read just now.
  const appBan = banHolds(caller.appBan) ? caller.appBan : undefined;
  return { caller, channel, member, config, authority: authorityOf(caller.user.role, member?.role), ban: strongerBan(channelBan, appBan) };
}

/**
 * The ban that rules when the user has both: one that refuses over one that
 * only shadows (a shadow ban from the channel must not let an app-banned user
 * write in it), else the channel's own, which is the nearer rule.
 */
function strongerBan(channelBan: BanRecord | undefined, appBan: BanRecord | undefined): BanRecord | undefined {
  if (channelBan && appBan && channelBan.shadow && !appBan.shadow) return appBan;
  return channelBan ?? appBan;
}

/**
 * Whether the caller may read this channel's messages, given their
 * membership as already read: for views of many channels at once (a list),
 * where each channel's last message shows only to its readers.
 */
export function mayReadMessages(caller: Caller, channel: ChannelRecord, member: MemberRecord | undefined): boolean {
  return canRead(userAccess(caller, channel, member));
}

/** Whether the channel exists for the caller at all: metadata, membership, listing. */
export function canSee(access: ChannelAccess): boolean {
  return canRead(access) || access.config.listed;
}

/** Whether the caller may read the channel's messages, members and read state. */
export function canRead(access: ChannelAccess): boolean {
  return access.member !== undefined || access.config.readableBy === 'app' || access.authority >= rankOf('moderator');
}

/** Messages, members, reads: a members-only channel looks absent to whoever may not read it. */
export function requireRead(access: ChannelAccess): void {
  if (!canRead(access)) throw notFound(access.channel.id);
}

/**
 * Writing as a participant (sending, reacting, marking read) needs membership;
 * a reader of a public channel must join first.
 */
export function requireMember(access: ChannelAccess): MemberRecord {
  requireRead(access);
  if (!access.member) {
    throw new ApiError('forbidden', `join channel "${access.channel.id}" before writing to it`);
  }
  return access.member;
}

/** Moderating (deleting others' messages, removing members) needs moderator or above. */
export function requireModerator(access: ChannelAccess): void {
  requireRead(access);
  if (access.authority < rankOf('moderator')) throw new ApiError('forbidden', 'this needs a moderator of the channel');
}

/** Administering (renaming, truncating) needs a channel admin or owner, an app admin, or the server. */
export function requireAdmin(access: ChannelAccess): void {
  requireRead(access);
  if (access.authority < rankOf('admin')) throw new ApiError('forbidden', 'this needs an admin or owner of the channel');
}
