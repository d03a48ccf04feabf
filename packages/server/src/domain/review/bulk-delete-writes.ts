import { type ChannelEventInput } from '@chatsdk/protocol';
import { sql } from 'kysely';
import type { EventWriter, Tx } from '../events/events.js';
import { releaseUploads } from '../files/attachments.js';
import { settleLastMessage } from '../messages/last-message.js';
import { removeMentions } from '../messages/mentions.js';
import { type MessageRecord, messageFromRow, toWireMessage } from '../messages/message-records.js';

/** Ids per `in (…)` list: well inside SQLite's and PostgreSQL's limits on bound parameters. */
export const ID_CHUNK = 500;
/** Event rows per insert (six columns each). */
const EVENT_CHUNK = 200;

/** Where a bulk delete writes: one channel of one app, one author. */
export interface BulkPlace {
  appId: string;
  channelId: string;
  userId: string;
  now: number;
}

/** `items` in runs of at most `size`: every id list is bound parameters, which both stores cap. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Writes one `message.deleted` per message, in the given order, at offsets
 * taken in one update of the channel row (the row is locked already): a
 * bulk delete of thousands of messages pays one statement per couple of
 * hundred events, not two per event. The events are published after the
 * commit like every other (`deferredEvent` registers them).
 */
async function emitDeletes(trx: Tx, events: EventWriter, place: BulkPlace, deletes: Array<{ message: MessageRecord; hard: boolean }>): Promise<void> {
  if (deletes.length === 0) return;
  const { last_offset: last } = await trx
    .updateTable('channels')
    .set((eb) => ({ last_offset: eb('last_offset', '+', deletes.length) }))
    .where('app_id', '=', place.appId)
    .where('id', '=', place.channelId)
    .returning('last_offset')
    .executeTakeFirstOrThrow();
  const first = Number(last) - deletes.length + 1;
  const rows = deletes.map(({ message, hard }, i) => {
    const event: ChannelEventInput = { type: 'message.deleted', message: toWireMessage(message), hard };
    return events.deferredEvent(place.appId, place.channelId, first + i, event);
  });
  for (const part of chunks(rows, EVENT_CHUNK)) await trx.insertInto('channel_events').values(part).execute();
}

/** Takes away the counted mentions of these messages: only those that have mention rows cost a statement. */
async function uncountMentions(trx: Tx, appId: string, messages: MessageRecord[]): Promise<void> {
  const byId = new Map(messages.map((m) => [m.id, m]));
  for (const part of chunks([...byId.keys()], ID_CHUNK)) {
    const rows = await trx.selectFrom('mentions').select('message_id').distinct().where('app_id', '=', appId).where('message_id', 'in', part).execute();
    for (const { message_id: id } of rows) {
      const message = byId.get(id);
      if (message) await removeMentions(trx, message);
    }
  }
}

/**
 * Replies that no longer count in their threads. A shadowed reply never
 * counted (a shadowed send leaves the thread as it was), and a tombstone was
 * uncounted when it became one; a parent that goes too needs no count.
 */
async function uncountReplies(trx: Tx, appId: string, replies: MessageRecord[], goneParents: ReadonlySet<string> = new Set()): Promise<void> {
  const perParent = new Map<string, number>();
  for (const reply of replies) {
    if (reply.parentId === null || reply.shadowed || goneParents.has(reply.parentId)) continue;
    perParent.set(reply.parentId, (perParent.get(reply.parentId) ?? 0) + 1);
  }
  for (const [parentId, count] of perParent) {
    await trx
      .updateTable('messages')
      .set({ reply_count: sql<number>`case when reply_count > ${count} then reply_count - ${count} else 0 end` })
      .where('app_id', '=', appId)
      .where('id', '=', parentId)
      .execute();
  }
}

/**
 * Soft-deletes every live message of the author in the channel, as one
 * `DELETE /api/messages/:id` would each (message-deletes.ts): content
 * cleared in the store, pin dropped, mentions uncounted, uploads released,
 * replies uncounted, one `message.deleted` each. A shadowed message gets no
 * event: nobody else ever heard of it. The channel must be locked. Returns
 * the tombstones.
 */
export async function softDeleteAll(trx: Tx, events: EventWriter, place: BulkPlace): Promise<MessageRecord[]> {
  const { appId, channelId, userId, now } = place;
  const live = (
    await trx
      .selectFrom('messages')
      .selectAll()
      .where('app_id', '=', appId)
      .where('user_id', '=', userId)
      .where('channel_id', '=', channelId)
      .where('deleted_at', 'is', null)
      .orderBy('seq')
      .execute()
  ).map(messageFromRow);
  if (live.length === 0) return [];
  await uncountMentions(trx, appId, live);
  const ids = live.map((m) => m.id);
  for (const part of chunks(ids, ID_CHUNK)) await releaseUploads(trx, appId, part, [], now);
  const tombstones: MessageRecord[] = [];
  for (const part of chunks(ids, ID_CHUNK)) {
    const rows = await trx
      .updateTable('messages')
      .set({ deleted_at: now, updated_at: now, text: '', attachments: '[]', mentioned_users: '[]', custom: '{}', pinned_at: null, pinned_by: null })
      .where('app_id', '=', appId)
      .where('id', 'in', part)
      .returningAll()
      .execute();
    tombstones.push(...rows.map(messageFromRow));
  }
  await uncountReplies(trx, appId, live);
  tombstones.sort((a, b) => a.seq - b.seq);
  await emitDeletes(trx, events, place, tombstones.filter((m) => !m.shadowed).map((message) => ({ message, hard: false })));
  return tombstones;
}

/**
 * Erases every message of the author in the channel, tombstones included,
 * as a hard `DELETE /api/messages/:id` would each: a thread parent takes its
 * replies with it (whoever wrote them: a reply without its parent could never
 * be shown again), replies' events come before their parents', and the
 * channel's last message moves to the newest one left. Reactions and mention
 * rows go by cascade, after the mentions are uncounted. The channel must be
 * locked. Returns the ids erased.
 */
export async function eraseAll(trx: Tx, events: EventWriter, place: BulkPlace): Promise<string[]> {
  const { appId, channelId, userId, now } = place;
  const own = (
    await trx.selectFrom('messages').selectAll().where('app_id', '=', appId).where('user_id', '=', userId).where('channel_id', '=', channelId).execute()
  ).map(messageFromRow);
  if (own.length === 0) return [];
  const erased = new Map(own.map((m) => [m.id, m]));
  const parents = own.filter((m) => m.parentId === null).map((m) => m.id);
  for (const part of chunks(parents, ID_CHUNK)) {
    const replies = await trx.selectFrom('messages').selectAll().where('app_id', '=', appId).where('parent_id', 'in', part).execute();
    for (const reply of replies) erased.set(reply.id, messageFromRow(reply));
  }
  const all = [...erased.values()].sort((a, b) => Number(a.parentId === null) - Number(b.parentId === null) || a.seq - b.seq);
  const ids = all.map((m) => m.id);

  await uncountMentions(trx, appId, all.filter((m) => m.deletedAt === null));
  for (const part of chunks(ids, ID_CHUNK)) await releaseUploads(trx, appId, part, [], now);
  await uncountReplies(trx, appId, all.filter((m) => m.deletedAt === null), new Set(erased.keys()));
  for (const part of chunks(ids, ID_CHUNK)) await trx.deleteFrom('messages').where('app_id', '=', appId).where('id', 'in', part).execute();
  // The event carries a tombstone: who and where, none of the content.
  await emitDeletes(trx, events, place, all.filter((m) => !m.shadowed).map((m) => ({ message: { ...m, deletedAt: m.deletedAt ?? now }, hard: true })));

  await settleLastMessage(trx, appId, channelId, new Set(erased.keys()));
  return ids;
}
