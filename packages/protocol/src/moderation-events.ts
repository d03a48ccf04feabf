import type { Static } from 'typebox';
import type * as Mod from './schemas/moderation.js';

type Ban = Static<typeof Mod.Ban>;
type Flag = Static<typeof Mod.Flag>;

/**
 * A message or user was flagged (by a user, or by a blocklist in `flag`
 * mode): sent to the personal streams of the app's moderators and admins,
 * and to webhooks.
 */
export interface ModerationFlaggedEvent {
  type: 'moderation.flagged';
  flag: Flag;
  createdAt: string;
}

/** A user was banned (app-wide, or from `ban.channelId`): to webhooks. */
export interface UserBannedEvent {
  type: 'user.banned';
  ban: Ban;
  createdAt: string;
}

/** A ban was lifted by a moderator (an expired ban ends silently): to webhooks. */
export interface UserUnbannedEvent {
  type: 'user.unbanned';
  userId: string;
  channelId: string | null;
  createdAt: string;
}

/** Moderation events, beside the channel and user events. */
export type ModerationEvent = ModerationFlaggedEvent | UserBannedEvent | UserUnbannedEvent;
