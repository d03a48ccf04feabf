import type { Ban, BanBody, ChannelRole } from '@chatsdk/protocol';
import { ApiError } from '../../errors.js';
import { toWireBan } from '../auth/ban-records.js';
import type { Caller } from '../auth/caller.js';
import { type Authority, authorityOf, SUPREME } from '../auth/roles.js';
import { actorOf } from '../audit/audit-log.js';
import { accessChannel, requireModerator } from '../channels/channel-access.js';
import type { DomainContext } from '../context.js';
import { type Tx, transact } from '../events/events.js';
import { requireAppModerator } from './app-moderators.js';
import { announceBan, announceLift, removeBan, writeBanReplacing } from './bans.js';

/** A ban as the API answers it, and whether it replaced one in force (200) or is new (201). */
export interface BanResult {
  ban: Ban;
  replaced: boolean;
}

/**
 * The authority the caller acts with in the ban's scope: over one channel
 * (a moderator of it or above), or over the app (the key, an app admin or
 * an app moderator). Anyone else is refused.
 */
async function scopeAuthority(trx: Tx, caller: Caller, channelId: string | undefined): Promise<Authority> {
  if (channelId === undefined) {
    requireAppModerator(caller);
    return caller.kind === 'server' ? SUPREME : authorityOf(caller.user.role, undefined);
  }
  const access = await accessChannel(trx, caller, channelId);
  requireModerator(access);
  return access.authority;
}

/**
 * A moderator bans only users below them in the ban's scope: a channel
 * moderator not another moderator or the owner, an app moderator not another
 * app moderator. The key and app admins rank above every channel role.
 */
async function requireOutranks(trx: Tx, appId: string, authority: Authority, userId: string, channelId: string | undefined): Promise<void> {
  if (authority === SUPREME) return;
  const user = await trx.selectFrom('users').select('role').where('app_id', '=', appId).where('id', '=', userId).executeTakeFirst();
  // An unknown user is writeBan's 404.
  if (!user) return;
  let channelRole: ChannelRole | undefined;
  if (channelId !== undefined) {
    const member = await trx
      .selectFrom('members')
      .select('role')
      .where('app_id', '=', appId)
      .where('channel_id', '=', channelId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    channelRole = member?.role as ChannelRole | undefined;
  }
  if (authorityOf(user.role, channelRole) >= authority) {
    throw new ApiError('forbidden', `you may not ban "${userId}": they are not below your role here`);
  }
}

/**
 * `POST /api/moderation/bans`: bans a user from the app (the key, app admins
 * and moderators) or from one channel (its moderators and above). Banning
 * again replaces the ban. After the commit every process ends the user's
 * sockets (app ban) or their subscription to the channel (channel ban);
 * a shadow ban changes nothing the user can see.
 */
export async function banUser(ctx: DomainContext, caller: Caller, body: BanBody): Promise<BanResult> {
  const appId = caller.app.id;
  const written = await transact(ctx, async (trx) => {
    const authority = await scopeAuthority(trx, caller, body.channelId);
    await requireOutranks(trx, appId, authority, body.userId, body.channelId);
    return writeBanReplacing(trx, ctx.store, actorOf(caller), {
      appId,
      userId: body.userId,
      channelId: body.channelId ?? null,
      reason: body.reason ?? null,
      ...(body.timeoutMinutes !== undefined ? { timeoutMinutes: body.timeoutMinutes } : {}),
      shadow: body.shadow === true,
    });
  });
  await announceBan(ctx.bus, written.ban);
  return { ban: toWireBan(written.ban), replaced: written.replaced };
}

/**
 * `DELETE /api/moderation/bans/:userId[?channelId=]`: lifts a ban, by whoever
 * may ban in its scope (any moderator there, whatever their rank beside the
 * one who banned). Answers the ban that was lifted; `ban_not_found` when there
 * is none in force (an expired one included).
 */
export async function liftBan(ctx: DomainContext, caller: Caller, userId: string, channelId: string | undefined): Promise<Ban> {
  const appId = caller.app.id;
  const lifted = await transact(ctx, async (trx) => {
    await scopeAuthority(trx, caller, channelId);
    return removeBan(trx, ctx.store, actorOf(caller), { appId, userId, channelId: channelId ?? null });
  });
  if (!lifted) {
    const where = channelId === undefined ? 'from this app' : `from channel "${channelId}"`;
    throw new ApiError('ban_not_found', `user "${userId}" is not banned ${where}`);
  }
  await announceLift(ctx.bus, lifted);
  return toWireBan(lifted);
}
