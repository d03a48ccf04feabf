import type { Ban } from '@chatsdk/protocol';
import type { Selectable } from 'kysely';
import type { BansTable } from '../../store/schema.js';
import { toIso } from '../common/ids.js';
import { flag } from '../common/json-columns.js';

/**
 * A ban as the access checks read it. It lives with auth, not with the
 * moderation folder that writes bans: connecting, subscribing and every
 * channel action read it, and they must not depend on the code that
 * administers bans (moderation -> auth, not back).
 */
export interface BanRecord {
  appId: string;
  userId: string;
  /** Null for an app-wide ban. */
  channelId: string | null;
  shadow: boolean;
  reason: string | null;
  bannedBy: string | null;
  createdAt: number;
  expiresAt: number | null;
}

/** The stored `channel_id` of an app-wide ban. */
export const APP_WIDE = '';

/** Maps a row of `bans`. */
export function banFromRow(row: Selectable<BansTable>): BanRecord {
  return {
    appId: row.app_id,
    userId: row.user_id,
    channelId: row.channel_id === APP_WIDE ? null : row.channel_id,
    shadow: flag.read(row.shadow),
    reason: row.reason,
    bannedBy: row.banned_by,
    createdAt: Number(row.created_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  };
}

/** Whether the ban still holds at `now`: an expired ban is no ban, whether or not the sweep removed its row yet. */
export function banHolds(ban: BanRecord | undefined, now = Date.now()): ban is BanRecord {
  return ban !== undefined && (ban.expiresAt === null || ban.expiresAt > now);
}

/** The ban on the wire. */
export function toWireBan(ban: BanRecord): Ban {
  return {
    userId: ban.userId,
    channelId: ban.channelId,
    reason: ban.reason,
    shadow: ban.shadow,
    bannedBy: ban.bannedBy,
    createdAt: toIso(ban.createdAt),
    expiresAt: ban.expiresAt === null ? null : toIso(ban.expiresAt),
  };
}
