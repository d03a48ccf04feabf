import { ApiError } from '../../errors.js';
import { rankOf } from '../auth/roles.js';
import { toIso } from '../common/ids.js';
import type { ChannelAccess } from './channel-access.js';

/**
 * What a caller may ask to do in a channel, beyond reading it. Every route
 * and the socket ask `requirePermission` (DESIGN §7, "one permission
 * check"): bans and freezes feed it here, as roles and channel types feed
 * `channel-access.ts`; teams and policies will too.
 */
export type ChannelAction = 'send-message' | 'react' | 'pin' | 'join' | 'upload' | 'typing' | 'subscribe';

/**
 * Actions a frozen channel keeps to its moderators: every write the other
 * members see. An edit asks as a send does (`send-message`), as in Stream:
 * a freeze that let members rewrite what they had said would not stop the
 * conversation. Pinning changes the message for everyone too. Deleting is
 * not kept: taking one's own words back adds nothing to a channel a
 * moderator has closed. Joining, reading and marking read go on.
 */
const FROZEN_ACTIONS: ReadonlySet<ChannelAction> = new Set(['send-message', 'react', 'pin', 'typing', 'upload']);

/** Whether the caller moderates this channel (a channel moderator or above, an app moderator, or the server). */
export function moderates(access: ChannelAccess): boolean {
  return access.authority >= rankOf('moderator');
}

/**
 * Refuses the action when a ban or a freeze forbids it: `403 user_banned`
 * (with the ban's expiry) or `403 channel_frozen`. A shadow ban forbids
 * nothing here: its user must not be able to tell (the send path handles
 * it). Membership and reading are checked by `channel-access.ts` before this.
 */
export function requirePermission(access: ChannelAccess, action: ChannelAction): void {
  const ban = access.ban;
  if (ban && !ban.shadow) {
    const until = ban.expiresAt === null ? 'until the ban is lifted' : `until ${toIso(ban.expiresAt)}`;
    const where = ban.channelId === null ? 'this app' : `channel "${ban.channelId}"`;
    throw new ApiError('user_banned', `you are banned from ${where} ${until}`, {
      details: { expiresAt: ban.expiresAt === null ? null : toIso(ban.expiresAt), channelId: ban.channelId, reason: ban.reason },
    });
  }
  if (access.channel.frozen && FROZEN_ACTIONS.has(action) && !moderates(access)) {
    throw new ApiError('channel_frozen', `channel "${access.channel.id}" is frozen: only its moderators may write to it`);
  }
}

/** Whether the caller's messages here are shadowed: sent as usual, seen by nobody else. */
export function shadowed(access: ChannelAccess): boolean {
  return access.ban?.shadow === true;
}
