import { ApiError } from '../../errors.js';
import type { Caller } from '../auth/caller.js';
import { accessChannel, type ChannelAccess, canRead } from '../channels/channel-access.js';
import { moderates } from '../channels/channel-permissions.js';
import { lockChannel } from '../channels/channel-lock.js';
import type { Tx } from '../events/events.js';
import { findMessage, type MessageRecord } from './message-records.js';

/** A message and its channel, as one caller may use them. */
export interface MessageAccess {
  access: ChannelAccess;
  message: MessageRecord;
}

/** The 404 of every message route: absent, of another app, or in a channel the caller may not read all look alike. */
export function messageNotFound(id: string): ApiError {
  return new ApiError('message_not_found', `no message "${id}" in this app`);
}

/**
 * Whether the caller sees a shadow-banned author's messages in this channel:
 * the server and the channel's moderators (app moderators included) see
 * everyone's; anyone else only their own, as if the others' were not there.
 */
export function seesShadowedOf(access: ChannelAccess): string | 'all' {
  if (access.caller.kind === 'server' || moderates(access)) return 'all';
  return access.caller.user.id;
}

/** Whether the caller may see this message at all, shadowed or not. */
export function seesMessage(access: ChannelAccess, message: MessageRecord): boolean {
  if (!message.shadowed) return true;
  const sees = seesShadowedOf(access);
  return sees === 'all' || sees === message.userId;
}

/**
 * Loads a message for a caller who may read its channel; anyone else gets
 * `message_not_found`, and so does everyone but its author and the
 * channel's moderators for a shadowed message: to them it does not exist,
 * so they can neither read, react to, pin, quote-fetch nor delete it.
 */
export async function accessMessage(db: Tx, caller: Caller, id: string): Promise<MessageAccess> {
  const message = await findMessage(db, caller.app.id, id);
  if (!message) throw messageNotFound(id);
  let access: ChannelAccess;
  try {
    access = await accessChannel(db, caller, message.channelId);
  } catch (error) {
    // A deleted or invisible channel must not reveal that the message exists.
    if (error instanceof ApiError && error.code === 'channel_not_found') throw messageNotFound(id);
    throw error;
  }
  if (!canRead(access) || !seesMessage(access, message)) throw messageNotFound(id);
  return { access, message };
}

/**
 * Locks the message's channel, then re-reads the message. Every change to a
 * message takes the channel first, as a send does before it touches a
 * thread's parent (see `lockChannel`), and the re-read sees whatever the
 * previous holder committed (a concurrent delete, edit or reply), so checks
 * and bookkeeping act on the current row.
 */
export async function lockMessage(trx: Tx, message: MessageRecord): Promise<MessageRecord> {
  await lockChannel(trx, message.appId, message.channelId);
  const current = await findMessage(trx, message.appId, message.id);
  if (!current) throw messageNotFound(message.id);
  return current;
}
