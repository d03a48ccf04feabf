import { Type } from 'typebox';
import { LIMITS } from '../limits.js';
import { Cursor, Timestamp } from './common.js';
import { MessageId } from './messages.js';

/** `POST /api/channels/:id/read` body: read up to `messageId`, or to the newest message. */
export const MarkReadBody = Type.Object({ messageId: Type.Optional(MessageId) }, { additionalProperties: false });

/** One member's read position: a read receipt. */
export const ReadState = Type.Object({
  userId: Type.String(),
  lastReadSeq: Type.Integer(),
  lastReadMessageId: Type.Union([Type.String(), Type.Null()]),
  lastReadAt: Type.Union([Timestamp, Type.Null()]),
});

/** `{ read }` after marking. */
export const ReadResponse = Type.Object({ read: ReadState, unreadCount: Type.Integer() });

/** `GET /api/channels/:id/read` query: pages of read positions, ordered by user id. */
export const ListReadsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageSize })),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

/** `{ reads, next }`: every member's read position. */
export const ReadsPage = Type.Object({ reads: Type.Array(ReadState), next: Type.Union([Cursor, Type.Null()]) });

/** `GET /api/users/me/unread` */
export const UnreadResponse = Type.Object({
  total: Type.Integer(),
  totalMentions: Type.Integer(),
  channels: Type.Array(
    Type.Object({
      channelId: Type.String(),
      unreadCount: Type.Integer(),
      unreadMentions: Type.Integer(),
      /** The channel's newest message as of the count (0 when only mentions are listed): a `message.new` at or below it is already counted. */
      lastMessageSeq: Type.Integer(),
    }),
  ),
});

/** `POST /api/channels/:id/typing` body. */
export const TypingBody = Type.Object(
  { typing: Type.Boolean(), parentId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.@:-]+$' })) },
  { additionalProperties: false },
);

/** A user the caller has blocked. */
export const Block = Type.Object({ userId: Type.String(), createdAt: Timestamp });

/** `{ blocks }`: the caller's block list. */
export const BlocksResponse = Type.Object({ blocks: Type.Array(Block) });
