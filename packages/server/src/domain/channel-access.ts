import type { Kysely } from 'kysely';
import { ApiError } from '../errors.js';
import type { Database } from '../store/schema.js';
import type { Caller } from './caller.js';
import { type ChannelRecord, channelFromRow, type MemberRecord, memberFromRow } from './channel-records.js';
import { type ChannelTypeConfig, channelTypeConfig } from './channel-types.js';
import { type Authority, authorityOf, rankOf, SUPREME } from './roles.js';

/** A channel as one caller may use it. */
export interface ChannelAccess {
  caller: Caller;
  channel: ChannelRecord;
  /** The calling user's membership; undefined for non-members and the server. */
  member: MemberRecord | undefined;
  config: ChannelTypeConfig;
  authority: Authority;
}

function notFound(channelId: string): ApiError {
  return new ApiError('channel_not_found', `no channel "${channelId}" in this app`);
}

/** The live channel and the caller's membership of it. Channels of other apps, deleted ones and invisible ones are all 404. */
export async function accessChannel(db: Kysely<Database>, caller: Caller, channelId: string): Promise<ChannelAccess> {
  const row = await db
    .selectFrom('channels')
    .selectAll()
    .where('app_id', '=', caller.app.id)
    .where('id', '=', channelId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw notFound(channelId);
  const channel = channelFromRow(row);
  const config = channelTypeConfig(channel.type);
  if (caller.kind === 'server') return { caller, channel, member: undefined, config, authority: SUPREME };
  const memberRow = await db
    .selectFrom('members')
    .selectAll()
    .where('app_id', '=', caller.app.id)
    .where('channel_id', '=', channelId)
    .where('user_id', '=', caller.user.id)
    .executeTakeFirst();
  const member = memberRow ? memberFromRow(memberRow) : undefined;
  const access = { caller, channel, member, config, authority: authorityOf(caller.user.role, member?.role) };
  if (!canSee(access)) throw notFound(channelId);
  return access;
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
