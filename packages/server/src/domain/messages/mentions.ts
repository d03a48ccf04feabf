import { LIMITS, type MentionsPage } from '@chatsdk/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { UserCaller } from '../auth/caller.js';
import { authorityOf, rankOf } from '../auth/roles.js';
import { CHANNEL_TYPES } from '../channels/channel-types.js';
import { decodeTimeKey, encodeTimeKey } from '../common/keyset.js';
import { hydrateMessages, messageFromRow } from './message-records.js';

/** `@alice` in text, where the id may hold `. @ : -` as user ids do. */
const MENTION = /(^|[^A-Za-z0-9_.@:-])@([A-Za-z0-9_.@:-]+)/g;

/**
 * User ids a text mentions. A mention at the end of a sentence ("thanks
 * @bob.") carries trailing punctuation, so each token also stands for itself
 * without it; only ids that are members will be kept.
 */
export function mentionCandidates(text: string): string[] {
  const ids = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    const token = match[2] ?? '';
    ids.add(token);
    const trimmed = token.replace(/[.:@-]+$/, '');
    if (trimmed) ids.add(trimmed);
  }
  return [...ids];
}

/** The members of a channel among `candidates`, sorted, never the author: whom a message mentions. */
export async function resolveMentions(
  db: Kysely<Database>,
  appId: string,
  channelId: string,
  authorId: string | null,
  candidates: Iterable<string>,
): Promise<string[]> {
  // A long text can hold thousands of @tokens; the lookup is bounded, and so is what it keeps.
  const wanted = [...new Set(candidates)].filter((u) => u !== authorId).slice(0, LIMITS.mentionsPerMessage * 2);
  if (wanted.length === 0) return [];
  const rows = await db
    .selectFrom('members')
    .select('user_id')
    .where('app_id', '=', appId)
    .where('channel_id', '=', channelId)
    .where('user_id', 'in', wanted)
    .execute();
  return rows.map((r) => r.user_id).sort();
}

/** The part of a message that mention bookkeeping needs. */
export interface MentioningMessage {
  appId: string;
  id: string;
  channelId: string;
  seq: number;
  createdAt: number;
}

/*
 * The invariant kept here: a member's `unread_mentions` counts their rows in
 * `mentions` whose message lies past their read position. So a mention is
 * counted only while its message is unread, and taking one away (delete,
 * edit) uncounts it only if it was counted. Clamping at 0 alone would be
 * wrong: it would uncount a newer unread mention for an old, read one.
 */

/** Records that a message mentions `userIds` and counts it for those who have not read it. */
export async function addMentions(db: Kysely<Database>, message: MentioningMessage, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  await db
    .insertInto('mentions')
    .values(userIds.map((userId) => ({ app_id: message.appId, user_id: userId, message_id: message.id, channel_id: message.channelId, created_at: message.createdAt })))
    .execute();
  await db
    .updateTable('members')
    .set((eb) => ({ unread_mentions: eb('unread_mentions', '+', 1) }))
    .where('app_id', '=', message.appId)
    .where('channel_id', '=', message.channelId)
    .where('user_id', 'in', userIds)
    .where('last_read_seq', '<', message.seq)
    .execute();
}

/** Removes a message's mentions (all, or of `userIds` only) and uncounts those that were unread. */
export async function removeMentions(db: Kysely<Database>, message: MentioningMessage, userIds?: string[]): Promise<void> {
  if (userIds?.length === 0) return;
  let query = db.deleteFrom('mentions').where('app_id', '=', message.appId).where('message_id', '=', message.id);
  if (userIds) query = query.where('user_id', 'in', userIds);
  const removed = (await query.returning('user_id').execute()).map((r) => r.user_id);
  if (removed.length === 0) return;
  await db
    .updateTable('members')
    .set((eb) => ({ unread_mentions: eb('unread_mentions', '-', 1) }))
    .where('app_id', '=', message.appId)
    .where('channel_id', '=', message.channelId)
    .where('user_id', 'in', removed)
    .where('last_read_seq', '<', message.seq)
    .where('unread_mentions', '>', 0)
    .execute();
}

/** Channel types any user of the app may read without joining. */
const APP_READABLE_TYPES = Object.entries(CHANNEL_TYPES)
  .filter(([, config]) => config.readableBy === 'app')
  .map(([type]) => type);

/**
 * `GET /api/mentions`: the messages that mention the caller, newest first,
 * keyset-paged on (time, message id). Only live messages in live channels the
 * caller may still read: the same rule as `canRead`, as one query.
 */
export async function listMentions(db: Kysely<Database>, caller: UserCaller, query: { limit?: number; cursor?: string }): Promise<MentionsPage> {
  const appId = caller.app.id;
  const limit = query.limit ?? 25;
  let q = db
    .selectFrom('mentions')
    .innerJoin('messages', (join) => join.onRef('messages.app_id', '=', 'mentions.app_id').onRef('messages.id', '=', 'mentions.message_id'))
    .innerJoin('channels', (join) => join.onRef('channels.app_id', '=', 'mentions.app_id').onRef('channels.id', '=', 'mentions.channel_id'))
    .leftJoin('members', (join) =>
      join
        .onRef('members.app_id', '=', 'mentions.app_id')
        .onRef('members.channel_id', '=', 'mentions.channel_id')
        .onRef('members.user_id', '=', 'mentions.user_id'),
    )
    .selectAll('messages')
    .select('mentions.created_at as mentioned_at')
    .where('mentions.app_id', '=', appId)
    .where('mentions.user_id', '=', caller.user.id)
    .where('messages.deleted_at', 'is', null)
    .where('channels.deleted_at', 'is', null);
  // App moderators and admins read every channel (see `authorityOf`); everyone else needs membership or an app-readable type.
  if (authorityOf(caller.user.role, undefined) < rankOf('moderator')) {
    q = q.where((eb) =>
      eb.or([eb('members.user_id', 'is not', null), ...(APP_READABLE_TYPES.length > 0 ? [eb('channels.type', 'in', APP_READABLE_TYPES)] : [])]),
    );
  }
  if (query.cursor !== undefined) {
    const key = decodeTimeKey(query.cursor);
    q = q.where((eb) =>
      eb.or([eb('mentions.created_at', '<', key.at), eb.and([eb('mentions.created_at', '=', key.at), eb('mentions.message_id', '<', key.id)])]),
    );
  }
  const rows = await q.orderBy('mentions.created_at', 'desc').orderBy('mentions.message_id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const messages = await hydrateMessages(db, appId, page.map(messageFromRow), caller.user.id);
  return { messages, next: rows.length > limit && last ? encodeTimeKey({ at: last.mentioned_at, id: last.id }) : null };
}
