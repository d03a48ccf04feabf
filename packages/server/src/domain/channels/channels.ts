import { createHash, randomBytes } from 'node:crypto';
import { type ChannelState, type CreateChannelBody, LIMITS, type UpdateChannelBody } from '@chatsdk/protocol';
import type { Updateable } from 'kysely';
import { ApiError } from '../../errors.js';
import type { ChannelsTable } from '../../store/schema.js';
import { actorOf, recordAudit } from '../audit/audit-log.js';
import type { BanRecord } from '../auth/ban-records.js';
import type { Caller } from '../auth/caller.js';
import { rankOf } from '../auth/roles.js';
import { serialiseCustom } from '../common/custom-data.js';
import { randomId } from '../common/ids.js';
import type { DomainContext } from '../context.js';
import { type Tx, transact } from '../events/events.js';
import { findMessage, hydrateMessages } from '../messages/message-records.js';
import { unreadCounts } from '../reads/unread.js';
import { accessChannel, type ChannelAccess, mayReadMessages, requireAdmin, requireModerator } from './channel-access.js';
import {
  type ChannelRecord,
  channelFromRow,
  type MemberRecord,
  memberFromRow,
  newMemberRow,
  toWireChannel,
  toWireMember,
  toWireMembership,
} from './channel-records.js';

/** Distinct channels are found by a hash of their type and sorted member set, unique per app. */
function distinctKey(type: string, members: string[]): string {
  return createHash('sha256').update([type, ...members].join('\n')).digest('hex');
}

/**
 * The channel with its last message and the viewer's membership, as every
 * channel endpoint answers. A viewer who may see the channel but not read it
 * (a listed members-only type) gets its metadata only, not its last message.
 * The membership carries `ban`, the viewer's ban in force here (`access.ban`
 * when the caller read it; by default their app ban, read at authentication).
 */
export async function channelState(
  tx: Tx,
  caller: Caller,
  channel: ChannelRecord,
  member: MemberRecord | undefined,
  ban: BanRecord | undefined = caller.kind === 'user' ? caller.appBan : undefined,
): Promise<ChannelState> {
  const viewerId = caller.kind === 'user' ? caller.user.id : null;
  const readable = mayReadMessages(caller, channel, member);
  const record = readable && channel.lastMessageId ? await findMessage(tx, channel.appId, channel.lastMessageId) : undefined;
  const lastMessage = record ? ((await hydrateMessages(tx, channel.appId, [record], viewerId))[0] ?? null) : null;
  let membership = null;
  if (member && viewerId) {
    const unread = await unreadCounts(tx, channel.appId, viewerId, [channel.id]);
    membership = toWireMembership(member, unread.get(channel.id) ?? 0, ban);
  }
  return { channel: toWireChannel(channel), lastMessage, membership };
}

/** Users among `ids` that do not exist (or are deleted) in the app. */
async function missingUsers(tx: Tx, appId: string, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const found = await tx.selectFrom('users').select('id').where('app_id', '=', appId).where('id', 'in', ids).where('deleted_at', 'is', null).execute();
  const present = new Set(found.map((r) => r.id));
  return ids.filter((id) => !present.has(id));
}

async function findDistinct(tx: Tx, appId: string, key: string): Promise<ChannelRecord | undefined> {
  const row = await tx.selectFrom('channels').selectAll().where('app_id', '=', appId).where('distinct_key', '=', key).executeTakeFirst();
  return row ? channelFromRow(row) : undefined;
}

/**
 * Creates a channel, or returns the existing one: the one distinct channel of
 * a member set, or the channel with the given id when the caller may see it.
 * Concurrent creates of one distinct set or one id yield one channel.
 */
export async function createChannel(
  ctx: DomainContext,
  caller: Caller,
  input: CreateChannelBody,
): Promise<{ state: ChannelState; created: boolean }> {
  const appId = caller.app.id;
  if (input.createdBy !== undefined && caller.kind === 'user') {
    throw new ApiError('validation_failed', 'body/createdBy is for the server; a user creates as themselves');
  }
  const owner = caller.kind === 'user' ? caller.user.id : (input.createdBy ?? null);
  const members = [...new Set([...(owner ? [owner] : []), ...(input.members ?? [])])].sort();
  if (members.length > LIMITS.membersPerCall) throw new ApiError('validation_failed', `a channel is created with at most ${LIMITS.membersPerCall} members`);
  const custom = serialiseCustom(input.custom ?? {});
  if (input.distinct) {
    if (input.id !== undefined) throw new ApiError('validation_failed', 'a distinct channel is found by its members; give no id');
    if (members.length < 2) throw new ApiError('validation_failed', 'a distinct channel needs at least two members');
  }
  const key = input.distinct ? distinctKey(input.type, members) : null;

  const existing = async (): Promise<{ state: ChannelState; created: boolean } | undefined> => {
    const found = key ? await findDistinct(ctx.store.db, appId, key) : undefined;
    const id = found?.id ?? input.id;
    if (!id) return undefined;
    let access: ChannelAccess;
    try {
      access = await accessChannel(ctx.store.db, caller, id);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'channel_not_found') {
        const row = await ctx.store.db.selectFrom('channels').select('id').where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
        if (row) throw new ApiError('channel_exists', `channel "${id}" exists`);
        return undefined;
      }
      throw error;
    }
    if (access.channel.type !== input.type) throw new ApiError('channel_exists', `channel "${id}" exists with type ${access.channel.type}`);
    return { state: await channelState(ctx.store.db, caller, access.channel, access.member, access.ban), created: false };
  };

  const before = await existing();
  if (before) return before;

  try {
    return await transact(ctx, async (trx, events) => {
      const missing = await missingUsers(trx, appId, members);
      if (missing.length > 0) throw new ApiError('validation_failed', `body/members names users that do not exist: ${missing.slice(0, 10).join(', ')}`);
      const now = Date.now();
      const row = await trx
        .insertInto('channels')
        .values({
          app_id: appId,
          id: input.id ?? randomId('ch'),
          type: input.type,
          name: input.name ?? null,
          image: input.image ?? null,
          custom,
          created_by: owner,
          distinct_key: key,
          member_count: members.length,
          last_message_seq: 0,
          last_message_id: null,
          last_message_at: null,
          last_offset: 0,
          epoch: randomBytes(6).toString('base64url'),
          created_at: now,
          updated_at: now,
          deleted_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      let offset = row.last_offset;
      if (members.length > 0) {
        const memberRows = await trx
          .insertInto('members')
          .values(
            members.map((userId) => newMemberRow(appId, row.id, userId, userId === owner ? 'owner' : 'member', now)),
          )
          .returningAll()
          .execute();
        // The stream begins with its members joining: each one's other devices, and every process's
        // personal streams, learn of the channel from these events.
        for (const member of memberRows) offset = await events.emit(appId, row.id, { type: 'member.added', member: toWireMember(memberFromRow(member)) });
      }
      const channel = channelFromRow({ ...row, last_offset: offset });
      const mine = caller.kind === 'user'
        ? await trx.selectFrom('members').selectAll().where('app_id', '=', appId).where('channel_id', '=', channel.id).where('user_id', '=', caller.user.id).executeTakeFirst()
        : undefined;
      return { state: await channelState(trx, caller, channel, mine ? memberFromRow(mine) : undefined), created: true };
    });
  } catch (error) {
    // Lost a race to create the same distinct set or id: answer with the winner's channel.
    if (ctx.store.dialect.isUniqueViolation(error)) {
      const after = await existing();
      if (after) return after;
    }
    throw error;
  }
}

/** `GET /api/channels/:id` */
export async function getChannel(ctx: DomainContext, caller: Caller, channelId: string): Promise<ChannelState> {
  const access = await accessChannel(ctx.store.db, caller, channelId);
  return channelState(ctx.store.db, caller, access.channel, access.member, access.ban);
}

/** The blocklist names a channel is to apply, each one the app has; a name it lacks is 404 `blocklist_not_found`. */
async function knownBlocklists(trx: Tx, appId: string, names: string[]): Promise<string[]> {
  const wanted = [...new Set(names)];
  if (wanted.length === 0) return [];
  const rows = await trx.selectFrom('blocklists').select('name').where('app_id', '=', appId).where('name', 'in', wanted).execute();
  const known = new Set(rows.map((r) => r.name));
  const missing = wanted.find((name) => !known.has(name));
  if (missing !== undefined) throw new ApiError('blocklist_not_found', `no blocklist "${missing}" in this app`);
  return wanted;
}

/** The moderation settings a patch changes, as the audit log names them. */
function moderationChanges(before: ChannelRecord, after: ChannelRecord): Array<{ action: string; details: Record<string, unknown> }> {
  const changes: Array<{ action: string; details: Record<string, unknown> }> = [];
  if (before.frozen !== after.frozen) changes.push({ action: after.frozen ? 'channel.freeze' : 'channel.unfreeze', details: {} });
  if (before.cooldownSeconds !== after.cooldownSeconds) changes.push({ action: 'channel.slow_mode', details: { cooldownSeconds: after.cooldownSeconds } });
  if (before.blocklists.join('\n') !== after.blocklists.join('\n')) changes.push({ action: 'channel.blocklists', details: { blocklists: after.blocklists } });
  return changes;
}

/**
 * Renames or re-decorates a channel (owners and admins), or sets its
 * moderation: freeze, slow mode and blocklists (moderators and above, each
 * change kept in the audit log).
 */
export async function updateChannel(ctx: DomainContext, caller: Caller, channelId: string, patch: UpdateChannelBody): Promise<ChannelState> {
  return transact(ctx, async (trx, events) => {
    const access = await accessChannel(trx, caller, channelId);
    const decorates = patch.name !== undefined || patch.image !== undefined || patch.custom !== undefined;
    if (decorates) requireAdmin(access);
    else requireModerator(access);
    const set: Updateable<ChannelsTable> = { updated_at: Date.now() };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.image !== undefined) set.image = patch.image;
    if (patch.custom !== undefined) set.custom = serialiseCustom(patch.custom);
    if (patch.frozen !== undefined) set.frozen = patch.frozen ? 1 : 0;
    if (patch.cooldownSeconds !== undefined) set.cooldown_seconds = patch.cooldownSeconds;
    if (patch.blocklists !== undefined) set.blocklists = JSON.stringify(await knownBlocklists(trx, caller.app.id, patch.blocklists));
    const row = await trx.updateTable('channels').set(set).where('app_id', '=', caller.app.id).where('id', '=', channelId).returningAll().executeTakeFirstOrThrow();
    const channel = channelFromRow(row);
    for (const change of moderationChanges(access.channel, channel)) {
      await recordAudit(trx, { appId: caller.app.id, action: change.action, actorId: actorOf(caller), targetType: 'channel', targetId: channelId, channelId, details: change.details });
    }
    await events.emit(caller.app.id, channelId, { type: 'channel.updated', channel: toWireChannel(channel) });
    const after = await trx.selectFrom('channels').selectAll().where('app_id', '=', caller.app.id).where('id', '=', channelId).executeTakeFirstOrThrow();
    return channelState(trx, caller, channelFromRow(after), access.member, access.ban);
  }, channelId);
}

/** Soft-deletes a channel: its owner, an app admin, or the server. */
export async function deleteChannel(ctx: DomainContext, caller: Caller, channelId: string): Promise<void> {
  await transact(ctx, async (trx, events) => {
    const access = await accessChannel(trx, caller, channelId);
    if (access.authority < rankOf('owner')) throw new ApiError('forbidden', 'only the owner of the channel may delete it');
    const now = Date.now();
    await events.emit(caller.app.id, channelId, { type: 'channel.deleted' });
    await trx.updateTable('channels').set({ deleted_at: now, updated_at: now }).where('app_id', '=', caller.app.id).where('id', '=', channelId).execute();
  }, channelId);
}

/**
 * Removes every message of a channel (and with them their reactions and
 * mentions): the server or a channel admin. Read positions stay, so no count
 * goes negative; the message sequence continues.
 */
export async function truncateChannel(ctx: DomainContext, caller: Caller, channelId: string): Promise<ChannelState> {
  return transact(ctx, async (trx, events) => {
    const access = await accessChannel(trx, caller, channelId);
    requireAdmin(access);
    const appId = caller.app.id;
    await trx.deleteFrom('messages').where('app_id', '=', appId).where('channel_id', '=', channelId).execute();
    await trx.updateTable('members').set({ unread_mentions: 0 }).where('app_id', '=', appId).where('channel_id', '=', channelId).execute();
    const row = await trx
      .updateTable('channels')
      .set({ last_message_id: null, last_message_at: null, updated_at: Date.now() })
      .where('app_id', '=', appId)
      .where('id', '=', channelId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await events.emit(appId, channelId, { type: 'channel.truncated', channel: toWireChannel(channelFromRow(row)) });
    const after = await trx.selectFrom('channels').selectAll().where('app_id', '=', appId).where('id', '=', channelId).executeTakeFirstOrThrow();
    return channelState(trx, caller, channelFromRow(after), access.member, access.ban);
  }, channelId);
}
