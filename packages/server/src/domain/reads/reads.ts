import type { MarkReadBody, ReadResponse, ReadState, ReadsPage, UnreadResponse } from '@chatsdk/protocol';
import type { Selectable } from 'kysely';
import { ApiError } from '../../errors.js';
import type { MembersTable } from '../../store/schema.js';
import type { Caller, UserCaller } from '../auth/caller.js';
import { accessChannel, requireMember, requireRead } from '../channels/channel-access.js';
import { lockChannel } from '../channels/channel-lock.js';
import { toIso } from '../common/ids.js';
import { decodeIdKey, encodeIdKey } from '../common/keyset.js';
import type { DomainContext } from '../context.js';
import { type Tx, transact } from '../events/events.js';
import { findMessage } from '../messages/message-records.js';
import { mentionCountsAt, unreadCounts, unreadCountsAt } from './unread.js';

/** A member's read position on the wire. */
export function toReadState(row: Selectable<MembersTable>): ReadState {
  return {
    userId: row.user_id,
    lastReadSeq: row.last_read_seq,
    lastReadMessageId: row.last_read_message_id,
    lastReadAt: row.last_read_at === null ? null : toIso(row.last_read_at),
  };
}

/**
 * Sets the member's unread mentions to their rows in `mentions` whose live
 * message lies past their read position: the invariant `mentions.ts` keeps
 * incrementally, recounted here in the same statement instead of decremented,
 * so a read to a middle message is exact whatever happened before. A mention
 * committed concurrently is either counted here or added by its send after
 * this row lock is released, never both. Reading to the newest message
 * leaves nothing past the position, so the count becomes 0.
 */
async function recountMentions(trx: Tx, appId: string, channelId: string, userId: string): Promise<Selectable<MembersTable>> {
  return trx
    .updateTable('members')
    .set((eb) => ({
      unread_mentions: eb
        .selectFrom('mentions')
        .innerJoin('messages', (join) => join.onRef('messages.app_id', '=', 'mentions.app_id').onRef('messages.id', '=', 'mentions.message_id'))
        .select((sub) => sub.fn.countAll<number>().as('mentions'))
        .whereRef('mentions.app_id', '=', 'members.app_id')
        .whereRef('mentions.channel_id', '=', 'members.channel_id')
        .whereRef('mentions.user_id', '=', 'members.user_id')
        .whereRef('messages.seq', '>', 'members.last_read_seq')
        .where('messages.deleted_at', 'is', null),
    }))
    .where('app_id', '=', appId)
    .where('channel_id', '=', channelId)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Marks the channel read up to a message of it (default: its newest). A read
 * position only moves forward; a read that would move it back, or not at all,
 * changes nothing and emits nothing. `message.read` goes out when it moves,
 * unless the channel type keeps read events off.
 */
export async function markRead(ctx: DomainContext, caller: UserCaller, channelId: string, input: MarkReadBody): Promise<ReadResponse> {
  const appId = caller.app.id;
  const userId = caller.user.id;
  return transact(ctx, async (trx, events) => {
    const access = await accessChannel(trx, caller, channelId);
    requireMember(access);
    // The channel first, always, as a send takes it. Without it the recount below could run on a snapshot
    // taken before a racing send committed its mention and then overwrite that send's increment.
    const channel = await lockChannel(trx, appId, channelId);
    const member = await trx
      .selectFrom('members')
      .select('last_read_seq')
      .where('app_id', '=', appId)
      .where('channel_id', '=', channelId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!member) throw new ApiError('forbidden', `join channel "${channelId}" before writing to it`);
    // The newest the caller can have seen is the newest committed when they asked; later messages stay unread.
    let target = { seq: channel.lastMessageSeq, messageId: channel.lastMessageId };
    if (input.messageId !== undefined) {
      const message = await findMessage(trx, appId, input.messageId);
      if (!message || message.channelId !== channelId) {
        throw new ApiError('validation_failed', 'body/messageId must name a message of this channel');
      }
      target = { seq: message.seq, messageId: message.id };
    }

    const moved =
      target.seq > member.last_read_seq
        ? await trx
            .updateTable('members')
            .set({ last_read_seq: target.seq, last_read_message_id: target.messageId, last_read_at: Date.now() })
            .where('app_id', '=', appId)
            .where('channel_id', '=', channelId)
            .where('user_id', '=', userId)
            .returning('user_id')
            .executeTakeFirst()
        : undefined;
    const read = toReadState(await recountMentions(trx, appId, channelId, userId));
    if (moved && access.config.readEvents) await events.emit(appId, channelId, { type: 'message.read', read });
    const unread = await unreadCounts(trx, appId, userId, [channelId]);
    return { read, unreadCount: unread.get(channelId) ?? 0 };
  }, channelId);
}

/**
 * Every member's read position (read receipts), in pages ordered by user id;
 * for whoever may read the channel. A type with read events off (livestream)
 * answers an empty list rather than 404: the channel is there and readable,
 * it only keeps its readers' positions to itself.
 */
export async function listReads(
  ctx: DomainContext,
  caller: Caller,
  channelId: string,
  page: { limit: number; cursor?: string },
): Promise<ReadsPage> {
  const after = page.cursor === undefined ? undefined : decodeIdKey(page.cursor);
  const access = await accessChannel(ctx.store.db, caller, channelId);
  requireRead(access);
  if (!access.config.readEvents) return { reads: [], next: null };
  let query = ctx.store.db.selectFrom('members').selectAll().where('app_id', '=', caller.app.id).where('channel_id', '=', channelId);
  if (after !== undefined) query = query.where('user_id', '>', after);
  const rows = await query.orderBy('user_id').limit(page.limit + 1).execute();
  const reads = rows.slice(0, page.limit).map(toReadState);
  const last = reads.at(-1);
  return { reads, next: rows.length > page.limit && last ? encodeIdKey(last.userId) : null };
}

/**
 * The caller's unread messages and mentions per channel (only channels with
 * either), with their sums. Counts come from `unreadCountsAt`, the one rule.
 * A channel the caller muted is left out, from the list and the totals: the
 * badge is the sum of the list. Its own count still shows where the channel
 * itself is shown (the channel list, its state, its notifications).
 */
export async function unreadSummary(ctx: DomainContext, caller: UserCaller): Promise<UnreadResponse> {
  const appId = caller.app.id;
  const userId = caller.user.id;
  const counts = await unreadCountsAt(ctx.store.db, appId, userId);
  const mentions = await mentionCountsAt(ctx.store.db, appId, userId);
  const audible = (channelId: string) => counts.get(channelId)?.muted !== true && mentions.get(channelId)?.muted !== true;
  const channelIds = [...new Set([...counts.keys(), ...mentions.keys()])].filter(audible).sort();
  const channels = channelIds
    .map((channelId) => ({
      channelId,
      unreadCount: counts.get(channelId)?.count ?? 0,
      unreadMentions: mentions.get(channelId)?.count ?? 0,
      lastMessageSeq: counts.get(channelId)?.lastSeq ?? 0,
    }))
    .filter((c) => c.unreadCount > 0 || c.unreadMentions > 0);
  return {
    total: channels.reduce((sum, c) => sum + c.unreadCount, 0),
    totalMentions: channels.reduce((sum, c) => sum + c.unreadMentions, 0),
    channels,
  };
}
