import { type AddMembersBody, type ChannelRole, LIMITS, type Member, type Membership, type UpdateMembershipBody } from '@chatsdk/protocol';
import type { Updateable } from 'kysely';
import { ApiError } from '../../errors.js';
import type { MembersTable } from '../../store/schema.js';
import { actorOf, recordAudit } from '../audit/audit-log.js';
import type { Caller } from '../auth/caller.js';
import { rankOf, SUPREME } from '../auth/roles.js';
import { flag } from '../common/json-columns.js';
import { decodeIdKey, encodeIdKey } from '../common/keyset.js';
import type { DomainContext } from '../context.js';
import { type Tx, transact } from '../events/events.js';
import { unreadCounts } from '../reads/unread.js';
import { accessChannel, type ChannelAccess, requireMember, requireRead } from './channel-access.js';
import { requirePermission } from './channel-permissions.js';
import { type MemberRecord, memberFromRow, newMemberRow, toWireMember, toWireMembership } from './channel-records.js';

async function findMember(tx: Tx, appId: string, channelId: string, userId: string): Promise<MemberRecord | undefined> {
  const row = await tx
    .selectFrom('members')
    .selectAll()
    .where('app_id', '=', appId)
    .where('channel_id', '=', channelId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ? memberFromRow(row) : undefined;
}

function notAMember(userId: string): ApiError {
  return new ApiError('user_not_found', `user "${userId}" is not a member of this channel`);
}

/** Whether the caller is acting on their own membership only. */
function isSelf(access: ChannelAccess, userIds: string[]): boolean {
  return access.caller.kind === 'user' && userIds.length === 1 && userIds[0] === access.caller.user.id;
}

/**
 * Adds members. Moderators and above add anyone, with a role up to their own;
 * in an open channel type (public, livestream) any user of the app may add
 * themselves as a member. Existing members are left as they are. New members
 * start with everything before their arrival read.
 */
export async function addMembers(ctx: DomainContext, caller: Caller, channelId: string, input: AddMembersBody): Promise<Member[]> {
  const appId = caller.app.id;
  const userIds = [...new Set(input.userIds)];
  const role: ChannelRole = input.role ?? 'member';
  return transact(ctx, async (trx, events) => {
    const access = await accessChannel(trx, caller, channelId);
    const selfJoin = isSelf(access, userIds) && access.config.joinPolicy === 'open' && role === 'member';
    if (!selfJoin) {
      requireRead(access);
      if (access.authority < rankOf('moderator')) throw new ApiError('forbidden', 'adding members needs a moderator of the channel');
      if (rankOf(role) > access.authority) throw new ApiError('forbidden', `you may not make anyone ${role}: it is above your own role`);
    }
    // A banned user may not join by themselves; a moderator who adds them does so knowingly, and the ban still holds.
    if (selfJoin) requirePermission(access, 'join');
    const users = await trx.selectFrom('users').select('id').where('app_id', '=', appId).where('id', 'in', userIds).where('deleted_at', 'is', null).execute();
    const known = new Set(users.map((u) => u.id));
    const missing = userIds.filter((id) => !known.has(id));
    if (missing.length > 0) throw new ApiError('validation_failed', `body/userIds names users that do not exist: ${missing.slice(0, 10).join(', ')}`);
    const present = await trx.selectFrom('members').select('user_id').where('app_id', '=', appId).where('channel_id', '=', channelId).where('user_id', 'in', userIds).execute();
    const already = new Set(present.map((m) => m.user_id));
    const fresh = userIds.filter((id) => !already.has(id));
    if (fresh.length === 0) return [];
    const now = Date.now();
    const rows = await trx
      .insertInto('members')
      .values(
        fresh.map((userId) =>
          newMemberRow(appId, channelId, userId, role, now, { seq: access.channel.lastMessageSeq, messageId: access.channel.lastMessageId }),
        ),
      )
      .returningAll()
      .execute();
    await trx
      .updateTable('channels')
      .set((eb) => ({ member_count: eb('member_count', '+', fresh.length), updated_at: now }))
      .where('app_id', '=', appId)
      .where('id', '=', channelId)
      .execute();
    const added = rows.map((row) => toWireMember(memberFromRow(row)));
    for (const member of added) await events.emit(appId, channelId, { type: 'member.added', member });
    return added;
  }, channelId);
}

/**
 * Removes a member. Anyone may leave; removing someone else needs a moderator
 * who outranks them (the server and app admins outrank everyone).
 */
export async function removeMember(ctx: DomainContext, caller: Caller, channelId: string, userId: string): Promise<void> {
  const appId = caller.app.id;
  await transact(ctx, async (trx, events) => {
    const access = await accessChannel(trx, caller, channelId);
    requireRead(access);
    const target = await findMember(trx, appId, channelId, userId);
    if (!target) throw notAMember(userId);
    if (!isSelf(access, [userId])) {
      if (access.authority < rankOf('moderator')) throw new ApiError('forbidden', 'removing members needs a moderator of the channel');
      if (access.authority !== SUPREME && rankOf(target.role) >= access.authority) {
        throw new ApiError('forbidden', `you may not remove a ${target.role}: they are not below your role`);
      }
    }
    await trx.deleteFrom('members').where('app_id', '=', appId).where('channel_id', '=', channelId).where('user_id', '=', userId).execute();
    await trx
      .updateTable('channels')
      .set((eb) => ({ member_count: eb('member_count', '-', 1), updated_at: Date.now() }))
      .where('app_id', '=', appId)
      .where('id', '=', channelId)
      .execute();
    await events.emit(appId, channelId, { type: 'member.removed', userId });
    // Someone removed by another is a moderation action; leaving is not.
    if (!isSelf(access, [userId])) {
      await recordAudit(trx, { appId, action: 'member.remove', actorId: actorOf(caller), targetType: 'user', targetId: userId, channelId, details: { role: target.role } });
    }
  }, channelId);
}

/**
 * Changes a member's role. No one raises anyone above their own role, and
 * only someone who outranks a member may change their role; anyone may lower
 * their own.
 */
export async function setMemberRole(ctx: DomainContext, caller: Caller, channelId: string, userId: string, role: ChannelRole): Promise<Member> {
  const appId = caller.app.id;
  return transact(ctx, async (trx, events) => {
    const access = await accessChannel(trx, caller, channelId);
    requireRead(access);
    const target = await findMember(trx, appId, channelId, userId);
    if (!target) throw notAMember(userId);
    const selfDemotion = isSelf(access, [userId]) && rankOf(role) <= rankOf(target.role);
    if (!selfDemotion) {
      if (access.authority < rankOf('moderator')) throw new ApiError('forbidden', 'changing roles needs a moderator of the channel');
      if (rankOf(role) > access.authority) throw new ApiError('forbidden', `you may not make anyone ${role}: it is above your own role`);
      if (access.authority !== SUPREME && rankOf(target.role) >= access.authority) {
        throw new ApiError('forbidden', `you may not change the role of a ${target.role}: they are not below your role`);
      }
    }
    const row = await trx
      .updateTable('members')
      .set({ role })
      .where('app_id', '=', appId)
      .where('channel_id', '=', channelId)
      .where('user_id', '=', userId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const member = toWireMember(memberFromRow(row));
    await events.emit(appId, channelId, { type: 'member.updated', member });
    if (role !== target.role) {
      await recordAudit(trx, { appId, action: 'member.role', actorId: actorOf(caller), targetType: 'user', targetId: userId, channelId, details: { from: target.role, to: role } });
    }
    return member;
  }, channelId);
}

/** A page of members ordered by user id. Readers of the channel only. */
export async function listMembers(
  ctx: DomainContext,
  caller: Caller,
  channelId: string,
  page: { limit?: number; cursor?: string },
): Promise<{ members: Member[]; next: string | null }> {
  const access = await accessChannel(ctx.store.db, caller, channelId);
  requireRead(access);
  const limit = page.limit ?? 25;
  let query = ctx.store.db.selectFrom('members').selectAll().where('app_id', '=', caller.app.id).where('channel_id', '=', channelId);
  if (page.cursor) query = query.where('user_id', '>', decodeIdKey(page.cursor));
  const rows = await query.orderBy('user_id').limit(Math.min(limit, LIMITS.pageSize) + 1).execute();
  const members = rows.slice(0, limit).map((row) => toWireMember(memberFromRow(row)));
  const last = members.at(-1);
  return { members, next: rows.length > limit && last ? encodeIdKey(last.userId) : null };
}

/** The caller's own settings for a channel: mute, pin, archive. */
export async function updateMembership(
  ctx: DomainContext,
  caller: Caller,
  channelId: string,
  patch: UpdateMembershipBody,
): Promise<Membership> {
  if (caller.kind !== 'user') throw new ApiError('forbidden', "membership settings are a user's own: send their Bearer token");
  const access = await accessChannel(ctx.store.db, caller, channelId);
  requireMember(access);
  const set: Updateable<MembersTable> = {};
  if (patch.muted !== undefined) set.muted = flag.write(patch.muted);
  if (patch.pinned !== undefined) set.pinned = flag.write(patch.pinned);
  if (patch.archived !== undefined) set.archived = flag.write(patch.archived);
  let query = ctx.store.db.updateTable('members').where('app_id', '=', caller.app.id).where('channel_id', '=', channelId).where('user_id', '=', caller.user.id);
  if (Object.keys(set).length > 0) query = query.set(set);
  const row = Object.keys(set).length > 0 ? await query.returningAll().executeTakeFirstOrThrow() : undefined;
  const member = row ? memberFromRow(row) : requireMember(access);
  const unread = await unreadCounts(ctx.store.db, caller.app.id, caller.user.id, [channelId]);
  return toWireMembership(member, unread.get(channelId) ?? 0, access.ban);
}
