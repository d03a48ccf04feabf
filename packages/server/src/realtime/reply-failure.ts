import type { Kysely } from 'kysely';
import type { UserCaller } from '../domain/auth/caller.js';
import { accessChannel, canRead } from '../domain/channels/channel-access.js';
import { requirePermission } from '../domain/channels/channel-permissions.js';
import { ApiError } from '../errors.js';
import type { Database } from '../store/schema.js';
import { REPLY_ERRORS, type ReplyError } from './protocol.js';

/** A command refused with a protocol error, answered to its id. */
export class ReplyFailure extends Error {
  constructor(readonly error: ReplyError) {
    super(error.message);
  }
}

/**
 * A channel the caller may not read and one that does not exist look alike, as over REST: both are 103.
 * So is a channel the caller is banned from: its live feed is what a channel ban takes away (an app
 * ban refuses the connect itself). A shadow ban does not show here, as it shows nowhere to its user.
 */
export async function requireReadable(db: Kysely<Database>, caller: UserCaller, channelId: string): Promise<void> {
  try {
    const access = await accessChannel(db, caller, channelId);
    if (!canRead(access)) throw new ReplyFailure(REPLY_ERRORS.permissionDenied);
    requirePermission(access, 'subscribe');
  } catch (error) {
    if (error instanceof ApiError && (error.code === 'channel_not_found' || error.code === 'user_banned')) {
      throw new ReplyFailure(REPLY_ERRORS.permissionDenied);
    }
    throw error;
  }
}
