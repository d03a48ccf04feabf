import { LIMITS, type Message, type Reaction, type SendReactionBody } from '@chatsdk/protocol';
import type { Selectable } from 'kysely';
import { ApiError } from '../../errors.js';
import type { ReactionsTable } from '../../store/schema.js';
import type { UserCaller } from '../auth/caller.js';
import { requireMember } from '../channels/channel-access.js';
import { requirePermission, shadowed } from '../channels/channel-permissions.js';
import type { DomainContext } from '../context.js';
import { type Tx, transact } from '../events/events.js';
import { accessMessage, lockMessage, messageNotFound } from './message-access.js';
import {
  hydrateMessages,
  type MessageRecord,
  messageFromRow,
  type StoredReaction,
  toWireMessage,
  toWireReaction,
} from './message-records.js';

/** A reaction change as the API answers it: the message for the caller, the reaction, and whether it is new. */
export interface ReactionResult {
  message: Message;
  reaction: Reaction;
  /** False when the caller already had this reaction and only its score was set. */
  created: boolean;
}

function stored(row: Selectable<ReactionsTable>): StoredReaction {
  return { userId: row.user_id, type: row.type, score: row.score, createdAt: row.created_at };
}

/**
 * The message to react to, with its channel locked for the rest of the
 * transaction. Only members react; a channel the caller may not read hides
 * its messages (`accessMessage`), and a reader who has not joined is refused
 * as a send would be.
 *
 * A deleted message is 404, not 400: a tombstone keeps its place in the
 * history but is no longer a message one can act on, and a client racing a
 * delete then gets the same answer whether the delete was soft or hard.
 *
 * `quiet`: the change is announced to no one, because the message is
 * shadowed (only its author and moderators see it) or the reactor is
 * shadow-banned here (nothing they do reaches the others live).
 */
async function reactableMessage(trx: Tx, caller: UserCaller, messageId: string): Promise<{ message: MessageRecord; quiet: boolean }> {
  const { access, message: found } = await accessMessage(trx, caller, messageId);
  requireMember(access);
  // A ban (or a freeze) refuses reacting and taking a reaction back alike: both are writes others see.
  requirePermission(access, 'react');
  if (found.deletedAt !== null) throw messageNotFound(messageId);
  // Under the channel's lock the message is read again: a delete may have committed in between.
  const message = await lockMessage(trx, found);
  if (message.deletedAt !== null) throw messageNotFound(messageId);
  return { message, quiet: message.shadowed || shadowed(access) };
}

/**
 * Rewrites the message's reaction summary from the reactions table: counts
 * and score sums per type in one grouped query, and the newest few. Exact by
 * construction, so no increment can drift; the channel lock taken in
 * `reactableMessage` keeps two writers from each missing the other's row.
 */
async function refreshSummary(trx: Tx, appId: string, messageId: string): Promise<MessageRecord> {
  const groups = await trx
    .selectFrom('reactions')
    .select(['type', (eb) => eb.fn.countAll<number | string>().as('count'), (eb) => eb.fn.sum<number | string>('score').as('score')])
    .where('app_id', '=', appId)
    .where('message_id', '=', messageId)
    .groupBy('type')
    .orderBy('type')
    .execute();
  const latest = await trx
    .selectFrom('reactions')
    .selectAll()
    .where('app_id', '=', appId)
    .where('message_id', '=', messageId)
    // Ties within a millisecond are broken by user and type, so the summary is the same on every store.
    .orderBy('created_at', 'desc')
    .orderBy('user_id')
    .orderBy('type')
    .limit(LIMITS.latestReactions)
    .execute();
  // PostgreSQL answers count and sum as bigint text. fromEntries makes own keys, so a type named `__proto__` is kept.
  const counts = Object.fromEntries(groups.map((g) => [g.type, Number(g.count)]));
  const scores = Object.fromEntries(groups.map((g) => [g.type, Number(g.score)]));
  const row = await trx
    .updateTable('messages')
    .set({
      reaction_counts: JSON.stringify(counts),
      reaction_scores: JSON.stringify(scores),
      latest_reactions: JSON.stringify(latest.map(stored)),
    })
    .where('app_id', '=', appId)
    .where('id', '=', messageId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return messageFromRow(row);
}

async function forViewer(trx: Tx, appId: string, message: MessageRecord, viewerId: string): Promise<Message> {
  const [hydrated] = await hydrateMessages(trx, appId, [message], viewerId);
  if (!hydrated) throw new Error('hydrating one message returned none');
  return hydrated;
}

/**
 * Adds the caller's reaction, or sets its score when they already reacted
 * with this type (the reaction keeps its original time and place). With
 * `enforceUnique` the caller's other reactions on the message go first, each
 * with its own `reaction.deleted`. One transaction holds the reactions, the
 * message's summary and the events.
 */
export async function sendReaction(ctx: DomainContext, caller: UserCaller, messageId: string, input: SendReactionBody): Promise<ReactionResult> {
  const appId = caller.app.id;
  const userId = caller.user.id;
  return transact(ctx, async (trx, events) => {
    const reactable = await reactableMessage(trx, caller, messageId);
    const quiet = reactable.quiet;
    let message = reactable.message;
    if (input.enforceUnique) {
      const removed = await trx
        .deleteFrom('reactions')
        .where('app_id', '=', appId)
        .where('message_id', '=', messageId)
        .where('user_id', '=', userId)
        .where('type', '!=', input.type)
        .returningAll()
        .execute();
      if (removed.length > 0) {
        message = await refreshSummary(trx, appId, messageId);
        const wire = toWireMessage(message);
        for (const row of removed.sort((a, b) => a.created_at - b.created_at || a.type.localeCompare(b.type))) {
          if (quiet) break;
          await events.emit(appId, message.channelId, { type: 'reaction.deleted', reaction: toWireReaction(messageId, stored(row)), message: wire });
        }
      }
    }

    const score = input.score ?? 1;
    // Look-then-write is safe: the channel lock serialises every reaction writer on this message.
    const existing = await trx
      .selectFrom('reactions')
      .select('created_at')
      .where('app_id', '=', appId)
      .where('message_id', '=', messageId)
      .where('user_id', '=', userId)
      .where('type', '=', input.type)
      .executeTakeFirst();
    const createdAt = existing?.created_at ?? Date.now();
    if (existing) {
      await trx
        .updateTable('reactions')
        .set({ score })
        .where('app_id', '=', appId)
        .where('message_id', '=', messageId)
        .where('user_id', '=', userId)
        .where('type', '=', input.type)
        .execute();
    } else {
      await trx
        .insertInto('reactions')
        .values({ app_id: appId, message_id: messageId, user_id: userId, type: input.type, score, created_at: createdAt })
        .execute();
    }
    message = await refreshSummary(trx, appId, messageId);
    const reaction = toWireReaction(messageId, { userId, type: input.type, score, createdAt });
    if (!quiet) await events.emit(appId, message.channelId, { type: 'reaction.new', reaction, message: toWireMessage(message) });
    return { message: await forViewer(trx, appId, message, userId), reaction, created: !existing };
  });
}

/** Removes the caller's reaction of one type; `reaction_not_found` when they have none. */
export async function deleteReaction(ctx: DomainContext, caller: UserCaller, messageId: string, type: string): Promise<Omit<ReactionResult, 'created'>> {
  const appId = caller.app.id;
  const userId = caller.user.id;
  return transact(ctx, async (trx, events) => {
    const { quiet } = await reactableMessage(trx, caller, messageId);
    const removed = await trx
      .deleteFrom('reactions')
      .where('app_id', '=', appId)
      .where('message_id', '=', messageId)
      .where('user_id', '=', userId)
      .where('type', '=', type)
      .returningAll()
      .executeTakeFirst();
    if (!removed) throw new ApiError('reaction_not_found', `you have no "${type}" reaction on message "${messageId}"`);
    const message = await refreshSummary(trx, appId, messageId);
    const reaction = toWireReaction(messageId, stored(removed));
    if (!quiet) await events.emit(appId, message.channelId, { type: 'reaction.deleted', reaction, message: toWireMessage(message) });
    return { message: await forViewer(trx, appId, message, userId), reaction };
  });
}
