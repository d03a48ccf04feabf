import { Type } from 'typebox';
import { LIMITS } from '../limits.js';
import { Cursor, CustomData, HttpUrl, Timestamp } from './common.js';
import { UploadId } from './uploads.js';
import { UserId } from './users.js';

/** Message ids may be chosen by the client (a UUID, say) to make sending idempotent. */
export const MessageId = Type.String({ minLength: 1, maxLength: LIMITS.messageIdLength, pattern: '^[A-Za-z0-9_.@:-]+$' });

/**
 * Attachment metadata: the file itself lives wherever `url` points. With an
 * `uploadId` (a file sent to `POST /api/uploads`), the server fills in `url`,
 * `name`, `mimeType`, `size`, `width`, `height` and `thumbUrl` from the upload
 * and ignores what the client sent for them; its `url` is a signed link built
 * at every read. A `link` attachment (a preview of a URL in the text) carries
 * `title`, `description`, `image` and `siteName`.
 */
export const Attachment = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 32 }),
    uploadId: Type.Optional(UploadId),
    url: Type.Optional(HttpUrl),
    name: Type.Optional(Type.String({ maxLength: LIMITS.uploadNameLength })),
    size: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.attachmentSize })),
    mimeType: Type.Optional(Type.String({ maxLength: 128 })),
    width: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    height: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    thumbUrl: Type.Optional(HttpUrl),
    title: Type.Optional(Type.String({ maxLength: LIMITS.linkTitleLength })),
    description: Type.Optional(Type.String({ maxLength: LIMITS.linkDescriptionLength })),
    image: Type.Optional(HttpUrl),
    siteName: Type.Optional(Type.String({ maxLength: LIMITS.linkSiteNameLength })),
  },
  { additionalProperties: false },
);

/** Reaction types are short words: `like`, `+1`, `party_popper`. */
export const ReactionType = Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_+-]+$' });

/** One user's reaction to a message. */
export const Reaction = Type.Object({
  messageId: Type.String(),
  userId: Type.String(),
  type: Type.String(),
  score: Type.Integer(),
  createdAt: Timestamp,
});

/** What a quoting message shows of the message it quotes. */
export const QuotedMessage = Type.Object({
  id: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()]),
  text: Type.String(),
  createdAt: Timestamp,
  deletedAt: Type.Union([Timestamp, Type.Null()]),
});

/** A message as every endpoint and event carries it. A deleted message is a tombstone: empty text, `deletedAt` set. */
export const Message = Type.Object(
  {
    id: Type.String(),
    channelId: Type.String(),
    /** Position in the channel's message sequence, from 1. */
    seq: Type.Integer(),
    userId: Type.Union([Type.String(), Type.Null()]),
    text: Type.String(),
    attachments: Type.Array(Attachment),
    mentionedUsers: Type.Array(Type.String()),
    quotedMessageId: Type.Union([Type.String(), Type.Null()]),
    quotedMessage: Type.Union([QuotedMessage, Type.Null()]),
    parentId: Type.Union([Type.String(), Type.Null()]),
    showInChannel: Type.Boolean(),
    replyCount: Type.Integer(),
    lastReplyAt: Type.Union([Timestamp, Type.Null()]),
    threadParticipants: Type.Array(Type.String()),
    custom: CustomData,
    silent: Type.Boolean(),
    pinnedAt: Type.Union([Timestamp, Type.Null()]),
    pinnedBy: Type.Union([Type.String(), Type.Null()]),
    reactionCounts: Type.Record(Type.String(), Type.Integer()),
    reactionScores: Type.Record(Type.String(), Type.Integer()),
    latestReactions: Type.Array(Reaction),
    /** The caller's own reactions; always empty in realtime events, which are the same for every receiver. */
    ownReactions: Type.Array(Reaction),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    editedAt: Type.Union([Timestamp, Type.Null()]),
    deletedAt: Type.Union([Timestamp, Type.Null()]),
    /** Present (true), to the channel's moderators only, on a shadow-banned author's message; its author is never told. */
    shadowed: Type.Optional(Type.Boolean()),
    /** Present (true) on a message hidden for review (auto-hidden after flags): its text and attachments are withheld. */
    hidden: Type.Optional(Type.Boolean()),
  },
  { $id: 'Message' },
);

/** `POST /api/channels/:id/messages` body. A message needs text or an attachment. */
export const SendMessageBody = Type.Object(
  {
    id: Type.Optional(MessageId),
    text: Type.Optional(Type.String({ maxLength: LIMITS.messageTextHardLimit })),
    attachments: Type.Optional(Type.Array(Attachment, { maxItems: LIMITS.attachmentsPerMessage })),
    mentionedUsers: Type.Optional(Type.Array(UserId, { maxItems: LIMITS.mentionsPerMessage })),
    quotedMessageId: Type.Optional(MessageId),
    parentId: Type.Optional(MessageId),
    showInChannel: Type.Optional(Type.Boolean()),
    custom: Type.Optional(CustomData),
    silent: Type.Optional(Type.Boolean()),
    /** The sender's opt-out: no link previews for this message, whatever the app's `linkPreviews`. */
    skipLinkPreviews: Type.Optional(Type.Boolean()),
    /** Server only: the user to send as. */
    userId: Type.Optional(UserId),
  },
  { additionalProperties: false },
);

/** `PATCH /api/messages/:id` body: the author's edit. */
export const UpdateMessageBody = Type.Object(
  {
    text: Type.Optional(Type.String({ maxLength: LIMITS.messageTextHardLimit })),
    attachments: Type.Optional(Type.Array(Attachment, { maxItems: LIMITS.attachmentsPerMessage })),
    custom: Type.Optional(CustomData),
  },
  { additionalProperties: false },
);

/** A position in a channel's message sequence, up to the largest a store holds. */
const Seq = Type.Integer({ minimum: 0, maximum: LIMITS.messageSeq });

/** `GET /api/channels/:id/messages` and `GET /api/messages/:id/replies` query, by message sequence. */
export const ListMessagesQuery = Type.Object(
  {
    before: Type.Optional(Seq),
    after: Type.Optional(Seq),
    around: Type.Optional(Seq),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.messagesPerPage })),
  },
  { additionalProperties: false },
);

/** A page of messages, newest first. `hasMore` says there are more in the paging direction. */
export const MessagesPage = Type.Object({ messages: Type.Array(Message), hasMore: Type.Boolean() });

/** `{ message }` */
export const MessageResponse = Type.Object({ message: Message });

/** Path parameters naming a message. */
export const MessageParams = Type.Object({ id: MessageId });

/** `DELETE /api/messages/:id` query. */
export const DeleteMessageQuery = Type.Object({ hard: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

/** `POST /api/messages/:id/reactions` body. */
export const SendReactionBody = Type.Object(
  {
    type: ReactionType,
    score: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    /** Replace the caller's other reactions on this message. */
    enforceUnique: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** Path parameters naming one of the caller's reactions. */
export const ReactionParams = Type.Object({ id: MessageId, type: ReactionType });

/** `{ message, reaction }` */
export const ReactionResponse = Type.Object({ message: Message, reaction: Reaction });

/** `GET /api/mentions` query. */
export const ListMentionsQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageSize })), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);

/** `{ messages, next }`: messages that mention the caller, newest first. */
export const MentionsPage = Type.Object({ messages: Type.Array(Message), next: Type.Union([Cursor, Type.Null()]) });

/** `GET /api/channels/:id/pinned` query. */
export const PinnedQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageSize })), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);

/** `{ messages, next }`: a channel's pinned messages, most recently pinned first. */
export const PinnedPage = Type.Object({ messages: Type.Array(Message), next: Type.Union([Cursor, Type.Null()]) });
