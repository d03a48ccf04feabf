import { createHash } from 'node:crypto';
import type { Flag, Message, SendMessageBody, ThreadSummary } from '@chatsdk/protocol';
import type { Selectable } from 'kysely';
import { ApiError } from '../../errors.js';
import type { MessagesTable } from '../../store/schema.js';
import type { OutboundGuard } from '../../outbound/index.js';
import type { Caller, UserCaller } from '../auth/caller.js';
import { accessChannel, type ChannelAccess, requireMember } from '../channels/channel-access.js';
import { moderates, requirePermission } from '../channels/channel-permissions.js';
import { serialiseCustom } from '../common/custom-data.js';
import { randomId, toIso } from '../common/ids.js';
import { flag } from '../common/json-columns.js';
import type { DomainContext } from '../context.js';
import { runBatchEndWriters } from '../events/batch-end.js';
import { type Tx, transact } from '../events/events.js';
import { attachUploads, uploadIdsOf } from '../files/attachments.js';
import { announceFlags } from '../moderation/flag-announce.js';
import { flagMessageBySystem } from '../moderation/flag-writes.js';
import { refuseWhileCooling, takeSendSlot } from '../moderation/slow-mode.js';
import { deferSend, takeNextSlot } from './deferred-sends.js';
import { addMentions, mentionCandidates, resolveMentions } from './mentions.js';
import { checkMessageContent } from './message-content.js';
import { findMessage, hydrateMessages, type MessageRecord, messageFromRow, toQuoted, toWireMessage } from './message-records.js';
import { type SendContent, screenMessage } from './send-hook.js';
import { moderateSend, type SendModeration, staysPlain } from './send-moderation.js';
import { sendShadowed } from './shadowed-send.js';

/** Users a thread remembers as its participants. */
const THREAD_PARTICIPANTS = 100;

/** What a send needs besides the store and the bus: the guard its before-send hook requests go through. */
export interface SendContext extends DomainContext {
  outbound: OutboundGuard;
}

/** The result of a send: the message, and whether this call created it (false for an idempotent replay). */
export interface SendResult {
  message: Message;
  created: boolean;
  /** The message is shadowed (its sender is shadow-banned): the answer does not say so, the caller must not announce it. */
  shadowed?: true;
}

/** What makes two sends "the same message": a retry must match it exactly. */
function bodyHash(senderId: string | null, input: SendMessageBody): string {
  const canonical = JSON.stringify([
    senderId,
    input.text ?? '',
    input.attachments ?? [],
    [...(input.mentionedUsers ?? [])].sort(),
    input.quotedMessageId ?? null,
    input.parentId ?? null,
    input.showInChannel ?? false,
    input.custom ?? {},
    input.silent ?? false,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

function senderOf(caller: Caller, input: SendMessageBody): string | null {
  if (caller.kind === 'user') {
    if (input.userId !== undefined && input.userId !== caller.user.id) {
      throw new ApiError('validation_failed', 'body/userId is for the server; a user sends as themselves');
    }
    return caller.user.id;
  }
  return input.userId ?? null;
}

/** The answer to a resend of an existing id: the original, or a conflict when the body differs. */
async function replay(ctx: DomainContext, caller: Caller, existing: MessageRecord, hash: string, channelId: string): Promise<SendResult> {
  if (existing.bodyHash !== hash || existing.channelId !== channelId) {
    throw new ApiError('message_id_conflict', `message "${existing.id}" was already sent with a different body`);
  }
  const [message] = await hydrateMessages(ctx.store.db, caller.app.id, [existing], caller.kind === 'user' ? caller.user.id : null);
  if (!message) throw new Error('hydrating one message returned none');
  return { message, created: false };
}

async function checkBlocked(trx: Tx, appId: string, channelId: string, senderId: string): Promise<void> {
  const blocker = await trx
    .selectFrom('blocks')
    .innerJoin('members', (join) =>
      join.onRef('members.app_id', '=', 'blocks.app_id').onRef('members.user_id', '=', 'blocks.blocker_id'),
    )
    .select('blocks.blocker_id')
    .where('blocks.app_id', '=', appId)
    .where('blocks.blocked_id', '=', senderId)
    .where('members.channel_id', '=', channelId)
    .executeTakeFirst();
  if (blocker) throw new ApiError('user_blocked', 'the other member of this conversation has blocked you');
}

/**
 * Whether the caller may send into the channel as `senderId`: a member, not
 * banned, not in a frozen channel they do not moderate, not blocked in a
 * one-to-one conversation.
 */
async function checkSender(db: Tx, caller: Caller, channelId: string, senderId: string | null): Promise<ChannelAccess> {
  const appId = caller.app.id;
  const access = await accessChannel(db, caller, channelId);
  if (caller.kind === 'user') {
    requireMember(access);
    requirePermission(access, 'send-message');
  }
  if (senderId === null) return access;
  if (caller.kind === 'server') {
    const member = await db
      .selectFrom('members')
      .select('user_id')
      .where('app_id', '=', appId)
      .where('channel_id', '=', channelId)
      .where('user_id', '=', senderId)
      .executeTakeFirst();
    if (!member) throw new ApiError('validation_failed', `user "${senderId}" is not a member of this channel`);
  }
  // A block silences the blocked user in a one-to-one conversation only: in a group it would
  // silence them for everyone else too.
  if (access.channel.distinct && access.channel.memberCount === 2) await checkBlocked(db, appId, channelId, senderId);
  return access;
}


/**
 * A user's message put to the app's before-send hook, once the user may send
 * it (a message the send would refuse is not shown to the hook). Outside any
 * transaction: a batch of sends must not wait on someone's HTTP server.
 */
async function screened(ctx: SendContext, caller: UserCaller, channelId: string, id: string, input: SendMessageBody, content: SendContent): Promise<SendContent> {
  const hook = caller.app.beforeSendHook;
  if (!hook) return content;
  const access = await checkSender(ctx.store.db, caller, channelId, caller.user.id);
  const { channel } = access;
  if (channel.cooldownSeconds > 0 && !moderates(access)) refuseWhileCooling(access, Date.now());
  const draft = {
    id,
    channelId,
    text: content.text,
    attachments: content.attachments,
    custom: input.custom ?? {},
    mentionedUsers: input.mentionedUsers ?? [],
    parentId: input.parentId ?? null,
    quotedMessageId: input.quotedMessageId ?? null,
    // As it would be stored: a top-level message is always in the channel.
    showInChannel: input.parentId === undefined || input.showInChannel === true,
    silent: input.silent ?? false,
  };
  return screenMessage(ctx.outbound, caller, hook, channel, draft, content.custom);
}


/**
 * Sends a message: one transaction writes the message, the channel's new
 * sequence, the thread and mention bookkeeping, the sender's read position
 * and the `message.new` event. The cost does not depend on the number of
 * members: unread counts are derived from read positions, not stored per member.
 *
 * A user's new message is first put to the app's before-send hook, if it has
 * one; the server's own sends (API key) are not: the hook is the app's
 * backend, which asking about its own messages would only call itself. A
 * resend of an existing id answers the stored message without asking again.
 */
export async function sendMessage(ctx: SendContext, caller: Caller, channelId: string, input: SendMessageBody): Promise<SendResult> {
  const appId = caller.app.id;
  const senderId = senderOf(caller, input);
  const sent: SendContent = { text: input.text ?? '', attachments: input.attachments ?? [], custom: serialiseCustom(input.custom) };
  checkMessageContent(caller.app, sent.text, sent.attachments);
  // The hash is of what the sender sent, so a resend of a message the hook rewrote still matches it.
  const hash = bodyHash(senderId, input);
  const id = input.id ?? randomId('msg');

  if (input.id !== undefined) {
    const existing = await findMessage(ctx.store.db, appId, input.id);
    if (existing) return replay(ctx, caller, existing, hash, channelId);
  }

  // Without a hook this is one field read: the hook's settings came with the caller's app.
  const hooked = caller.kind === 'user' && caller.app.beforeSendHook !== null;
  const { text, attachments, custom } = hooked ? await screened(ctx, caller, channelId, id, input, sent) : sent;

  // A plain message (no thread, quote or mention) leaves its writes to the end of the transaction,
  // where they are written together with the other sends of the batch (deferred-sends.ts).
  const candidates = [...mentionCandidates(text), ...(input.mentionedUsers ?? [])];
  // A send with uploads binds them to the message in its transaction: the full path.
  let plain = input.parentId === undefined && input.quotedMessageId === undefined && candidates.length === 0 && uploadIdsOf(attachments).length === 0;

  // A user's plain send checks its access before it joins a batch, on a connection of its own, so that
  // the batch's transaction spends no round trip on it; the batch checks again, for all its senders in one
  // statement, that they are still members when it commits (deferred-sends.ts). The same read decides
  // what moderation makes of it (a hooked send is read again here: the hook may have changed its text).
  let checkedOutside = plain && caller.kind === 'user';
  let outside: { access: ChannelAccess; moderation: SendModeration } | undefined;
  if (checkedOutside) {
    const access = await checkSender(ctx.store.db, caller, channelId, senderId);
    outside = { access, moderation: await moderateSend(ctx.store.db, caller, access, text) };
    // A send moderation touched takes the full path, checked again inside its transaction.
    if (!staysPlain(outside.moderation)) {
      plain = false;
      checkedOutside = false;
    }
  }
  const flagged: Flag[] = [];

  try {
    const result = await transact(ctx, async (trx, events) => {
      flagged.length = 0;
      // The rest reads messages and counters that the deferred writes before it would change.
      if (!plain) await runBatchEndWriters(trx);
      const access = checkedOutside && outside ? outside.access : await checkSender(trx, caller, channelId, senderId);
      const moderation = checkedOutside && outside ? outside.moderation : await moderateSend(trx, caller, access, text);
      const storedText = moderation.screening.text;

      let parent: MessageRecord | undefined;
      if (input.parentId !== undefined) {
        parent = await findMessage(trx, appId, input.parentId);
        if (!parent || parent.channelId !== channelId || parent.deletedAt !== null || parent.parentId !== null) {
          throw new ApiError('validation_failed', 'body/parentId must name a live top-level message of this channel');
        }
      }
      let quoted: MessageRecord | undefined;
      if (input.quotedMessageId !== undefined) {
        quoted = await findMessage(trx, appId, input.quotedMessageId);
        // A shadowed message quoted by anyone but its author would show its text to everyone.
        if (!quoted || quoted.channelId !== channelId || (quoted.shadowed && quoted.userId !== senderId)) {
          throw new ApiError('validation_failed', 'body/quotedMessageId must name a message of this channel');
        }
      }

      const now = Date.now();
      if (moderation.cooldown && senderId !== null) await takeSendSlot(trx, access, senderId, now);
      const stored = await attachUploads(trx, caller, { channelId, messageId: id, now }, attachments);
      const row = (seq: number, mentioned: string[], inChannel: boolean): Selectable<MessagesTable> => ({
        app_id: appId,
        id,
        channel_id: channelId,
        seq,
        user_id: senderId,
        text: storedText,
        attachments: JSON.stringify(stored),
        mentioned_users: JSON.stringify(mentioned),
        quoted_message_id: input.quotedMessageId ?? null,
        parent_id: input.parentId ?? null,
        show_in_channel: flag.write(inChannel),
        reply_count: 0,
        last_reply_at: null,
        thread_participants: '[]',
        custom,
        silent: flag.write(input.silent === true),
        pinned_at: null,
        pinned_by: null,
        reaction_counts: '{}',
        reaction_scores: '{}',
        latest_reactions: '[]',
        body_hash: hash,
        created_at: now,
        updated_at: now,
        edited_at: null,
        deleted_at: null,
        shadowed: flag.write(moderation.shadowed),
        hidden: 0,
      });

      if (plain) {
        const slot = await takeNextSlot(trx, appId, channelId);
        const plainRow = row(slot.seq, [], true);
        const message = messageFromRow(plainRow);
        const event = events.deferredEvent(appId, channelId, slot.offset, { type: 'message.new', message: toWireMessage(message) });
        deferSend(trx, plainRow, event, senderId === null ? undefined : { userId: senderId, seq: slot.seq, messageId: id, at: now }, checkedOutside);
        return { message: toWireMessage(message, { quoted: null }), created: true };
      }

      if (moderation.shadowed) {
        const message = await sendShadowed(trx, row, parent !== undefined && input.showInChannel !== true, quoted, { appId, channelId, senderId, id, now });
        return { message, created: true, shadowed: true } as const;
      }

      const mentioned = await resolveMentions(trx, appId, channelId, senderId, candidates);
      const inChannel = parent === undefined || input.showInChannel === true;
      // Taking the next sequence row-locks the channel (PostgreSQL): concurrent sends to it queue here.
      // The event's offset is taken in the same update, so the channel row is written once per send.
      const { last_message_seq: seq, last_offset: offset } = await trx
        .updateTable('channels')
        .set((eb) => ({
          last_message_seq: eb('last_message_seq', '+', 1),
          last_offset: eb('last_offset', '+', 1),
          ...(inChannel ? { last_message_id: id, last_message_at: now } : {}),
        }))
        .where('app_id', '=', appId)
        .where('id', '=', channelId)
        .returning(['last_message_seq', 'last_offset'])
        .executeTakeFirstOrThrow();
      if (parent) {
        // Read again under the channel's lock: a reply racing this one (or a delete) has committed by now,
        // so the participants list is not overwritten with a stale copy and a parent deleted meanwhile is refused.
        parent = await findMessage(trx, appId, parent.id);
        if (!parent || parent.deletedAt !== null) throw new ApiError('validation_failed', 'body/parentId must name a live top-level message of this channel');
      }

      const fullRow = row(seq, mentioned, inChannel);
      await trx.insertInto('messages').values(fullRow).execute();
      const message = messageFromRow(fullRow);

      let thread: ThreadSummary | undefined;
      if (parent) {
        const participants = [...parent.threadParticipants];
        if (senderId !== null && !participants.includes(senderId) && participants.length < THREAD_PARTICIPANTS) participants.push(senderId);
        // `now` was taken before the lock: a reply that waited for it must not move lastReplyAt back.
        const lastReplyAt = Math.max(parent.lastReplyAt ?? 0, now);
        await trx
          .updateTable('messages')
          .set((eb) => ({ reply_count: eb('reply_count', '+', 1), last_reply_at: lastReplyAt, thread_participants: JSON.stringify(participants) }))
          .where('app_id', '=', appId)
          .where('id', '=', parent.id)
          .execute();
        thread = { id: parent.id, replyCount: parent.replyCount + 1, lastReplyAt: toIso(lastReplyAt), threadParticipants: participants };
      }

      await addMentions(trx, message, mentioned);

      // One's own message is read: the sender's position moves, no one else's row is touched.
      // It moves to the newest message, so every mention before it is read too (see mentions.ts).
      if (senderId !== null && inChannel) {
        await trx
          .updateTable('members')
          .set({ last_read_seq: seq, last_read_message_id: id, last_read_at: now, unread_mentions: 0 })
          .where('app_id', '=', appId)
          .where('channel_id', '=', channelId)
          .where('user_id', '=', senderId)
          .where('last_read_seq', '<', seq)
          .execute();
      }

      const wire = toWireMessage(message);
      await events.emitAt(appId, channelId, offset, { type: 'message.new', message: wire, ...(thread ? { thread } : {}) });
      if (moderation.screening.flaggedBy.length > 0) {
        const flag = await flagMessageBySystem(ctx.store, trx, { appId, message: wire, reason: `blocklist: ${moderation.screening.flaggedBy.join(', ')}` });
        if (flag) flagged.push(flag);
      }
      // A message created in this transaction has no reactions yet: nothing to read back but what it quotes.
      return { message: toWireMessage(message, { quoted: quoted ? toQuoted(quoted) : null }), created: true };
    }, channelId, 'deferring');
    if (flagged.length > 0) await announceFlags(ctx.bus, appId, flagged);
    return result;
  } catch (error) {
    // Two sends with one client id raced past the first check: the loser answers like a resend.
    if (input.id !== undefined && ctx.store.dialect.isUniqueViolation(error)) {
      const existing = await findMessage(ctx.store.db, appId, input.id);
      if (existing) return replay(ctx, caller, existing, hash, channelId);
    }
    throw error;
  }
}
