import type { Caller } from '../auth/caller.js';
import type { ChannelAccess } from '../channels/channel-access.js';
import { moderates, shadowed } from '../channels/channel-permissions.js';
import type { Tx } from '../events/batch-end.js';
import { type Screening, screenText } from '../moderation/screen-message.js';

/**
 * What moderation makes of a user's send, once their access is known: the
 * text after the channel's blocklists, and whether the send must take the
 * full path (a shadowed message writes no event, slow mode takes a slot, a
 * flag is written with the message). The server's sends are the app's own
 * and are not screened, as they are not put to the hook.
 */
export interface SendModeration {
  screening: Screening;
  shadowed: boolean;
  cooldown: boolean;
}

/** What moderation makes of a user's send in this channel (see `SendModeration`). */
export async function moderateSend(db: Tx, caller: Caller, access: ChannelAccess, text: string): Promise<SendModeration> {
  if (caller.kind !== 'user') return { screening: { text, flaggedBy: [] }, shadowed: false, cooldown: false };
  return {
    screening: await screenText(db, caller.app, access.channel, text),
    shadowed: shadowed(access),
    cooldown: access.channel.cooldownSeconds > 0 && !moderates(access),
  };
}

/** Whether a send that moderation touched can still be written at the end of the batch, as a plain one. */
export function staysPlain(moderation: SendModeration): boolean {
  return !moderation.shadowed && !moderation.cooldown && moderation.screening.flaggedBy.length === 0;
}