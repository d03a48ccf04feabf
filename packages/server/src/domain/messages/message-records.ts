import type { Message, QuotedMessage, Reaction } from '@chatsdk/protocol';
import type { Kysely, Selectable } from 'kysely';
import type { Database, MessagesTable } from '../../store/schema.js';
import { toIso } from '../common/ids.js';
import { flag, readJson } from '../common/json-columns.js';
import { type StoredAttachment, wireAttachments } from '../files/attachments.js';

/** A reaction as stored in a message's `latestReactions` (times in ms). */
export interface StoredReaction {
  userId: string;
  type: string;
  score: number;
  createdAt: number;
}

/** A message as the server holds it. */
export interface MessageRecord {
  appId: string;
  id: string;
  channelId: string;
  seq: number;
  userId: string | null;
  text: string;
  /** As stored: an upload's attachment has no link yet (see `wireAttachments`). */
  attachments: StoredAttachment[];
  mentionedUsers: string[];
  quotedMessageId: string | null;
  parentId: string | null;
  showInChannel: boolean;
  replyCount: number;
  lastReplyAt: number | null;
  threadParticipants: string[];
  custom: Record<string, unknown>;
  silent: boolean;
  pinnedAt: number | null;
  pinnedBy: string | null;
  reactionCounts: Record<string, number>;
  reactionScores: Record<string, number>;
  latestReactions: StoredReaction[];
  bodyHash: string;
  createdAt: number;
  updatedAt: number;
  editedAt: number | null;
  deletedAt: number | null;
  /** Sent by a shadow-banned user: only its author and moderators see it. */
  shadowed: boolean;
  /** Hidden for review: served without its content, except to the review queue. */
  hidden: boolean;
}

/** Maps a row of `messages`. */
export function messageFromRow(row: Selectable<MessagesTable>): MessageRecord {
  return {
    appId: row.app_id,
    id: row.id,
    channelId: row.channel_id,
    seq: row.seq,
    userId: row.user_id,
    text: row.text,
    attachments: readJson<StoredAttachment[]>(row.attachments),
    mentionedUsers: readJson<string[]>(row.mentioned_users),
    quotedMessageId: row.quoted_message_id,
    parentId: row.parent_id,
    showInChannel: flag.read(row.show_in_channel),
    replyCount: row.reply_count,
    lastReplyAt: row.last_reply_at,
    threadParticipants: readJson<string[]>(row.thread_participants),
    custom: readJson<Record<string, unknown>>(row.custom),
    silent: flag.read(row.silent),
    pinnedAt: row.pinned_at,
    pinnedBy: row.pinned_by,
    reactionCounts: readJson<Record<string, number>>(row.reaction_counts),
    reactionScores: readJson<Record<string, number>>(row.reaction_scores),
    latestReactions: readJson<StoredReaction[]>(row.latest_reactions),
    bodyHash: row.body_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    editedAt: row.edited_at,
    deletedAt: row.deleted_at,
    shadowed: flag.read(row.shadowed),
    hidden: flag.read(row.hidden),
  };
}

const iso = (ms: number | null): string | null => (ms === null ? null : toIso(ms));

/** A stored reaction on the wire. */
export function toWireReaction(messageId: string, reaction: StoredReaction): Reaction {
  return { messageId, userId: reaction.userId, type: reaction.type, score: reaction.score, createdAt: toIso(reaction.createdAt) };
}

/** What a quoting message shows of the quoted one. */
export function toQuoted(message: MessageRecord): QuotedMessage {
  return {
    id: message.id,
    userId: message.userId,
    text: message.deletedAt === null && !message.hidden ? message.text : '',
    createdAt: toIso(message.createdAt),
    deletedAt: iso(message.deletedAt),
  };
}

/**
 * The message on the wire. `quoted` and `own` come from `hydrateMessages`;
 * events pass neither, since an event is the same text for every receiver.
 */
export function toWireMessage(
  message: MessageRecord,
  extras: {
    quoted?: QuotedMessage | null;
    own?: Reaction[];
    /** The review queue sees a hidden message's content, and whether it is shadowed. */
    reveal?: boolean;
    /** The viewer moderates the channel: a shadowed message says so. Its author is never told. */
    showShadowed?: boolean;
  } = {},
): Message {
  // A hidden message keeps its place like a tombstone until a moderator reviews it.
  const deleted = message.deletedAt !== null || (message.hidden && extras.reveal !== true);
  return {
    id: message.id,
    channelId: message.channelId,
    seq: message.seq,
    userId: message.userId,
    // A tombstone keeps its place and its thread, not its content.
    text: deleted ? '' : message.text,
    // Links to uploads are signed here, at every read, so a message always carries links valid for a day.
    attachments: deleted ? [] : wireAttachments(message.appId, message.attachments),
    mentionedUsers: deleted ? [] : message.mentionedUsers,
    quotedMessageId: message.quotedMessageId,
    quotedMessage: extras.quoted ?? null,
    parentId: message.parentId,
    showInChannel: message.showInChannel,
    replyCount: message.replyCount,
    lastReplyAt: iso(message.lastReplyAt),
    threadParticipants: message.threadParticipants,
    custom: deleted ? {} : message.custom,
    silent: message.silent,
    pinnedAt: iso(message.pinnedAt),
    pinnedBy: message.pinnedBy,
    reactionCounts: message.reactionCounts,
    reactionScores: message.reactionScores,
    latestReactions: message.latestReactions.map((r) => toWireReaction(message.id, r)),
    ownReactions: extras.own ?? [],
    createdAt: toIso(message.createdAt),
    updatedAt: toIso(message.updatedAt),
    editedAt: iso(message.editedAt),
    deletedAt: iso(message.deletedAt),
    ...(message.shadowed && (extras.showShadowed === true || extras.reveal === true) ? { shadowed: true } : {}),
    ...(message.hidden ? { hidden: true } : {}),
  };
}

/** Loads one message of the app by id. */
export async function findMessage(db: Kysely<Database>, appId: string, id: string): Promise<MessageRecord | undefined> {
  const row = await db.selectFrom('messages').selectAll().where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  return row ? messageFromRow(row) : undefined;
}

/**
 * Messages on the wire for one viewer: with the messages they quote and the
 * viewer's own reactions, in two queries whatever the page size.
 */
export async function hydrateMessages(
  db: Kysely<Database>,
  appId: string,
  messages: MessageRecord[],
  viewerId: string | null,
  options: { showShadowed?: boolean } = {},
): Promise<Message[]> {
  if (messages.length === 0) return [];
  const quotedIds = [...new Set(messages.flatMap((m) => (m.quotedMessageId ? [m.quotedMessageId] : [])))];
  const quoted = new Map<string, QuotedMessage>();
  if (quotedIds.length > 0) {
    const rows = await db.selectFrom('messages').selectAll().where('app_id', '=', appId).where('id', 'in', quotedIds).execute();
    for (const row of rows) quoted.set(row.id, toQuoted(messageFromRow(row)));
  }
  const own = new Map<string, Reaction[]>();
  if (viewerId !== null) {
    const rows = await db
      .selectFrom('reactions')
      .selectAll()
      .where('app_id', '=', appId)
      .where('user_id', '=', viewerId)
      .where('message_id', 'in', messages.map((m) => m.id))
      .orderBy('created_at')
      .execute();
    for (const row of rows) {
      const list = own.get(row.message_id) ?? [];
      list.push(toWireReaction(row.message_id, { userId: row.user_id, type: row.type, score: row.score, createdAt: row.created_at }));
      own.set(row.message_id, list);
    }
  }
  return messages.map((m) =>
    toWireMessage(m, {
      quoted: m.quotedMessageId ? (quoted.get(m.quotedMessageId) ?? null) : null,
      own: own.get(m.id) ?? [],
      ...(options.showShadowed === true ? { showShadowed: true } : {}),
    }),
  );
}
