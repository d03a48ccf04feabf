import { Type } from 'typebox';
import { LIMITS } from '../limits.js';
import { ChannelId, ChannelType } from './channels.js';
import { Cursor, CustomData, Timestamp } from './common.js';
import { Message } from './messages.js';
import { User, UserId } from './users.js';

/** A moderator's reason: one sentence, kept with the ban, flag or audit entry. */
const Reason = Type.String({ maxLength: LIMITS.moderationReasonLength });

const Page = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageSize })),
  cursor: Type.Optional(Cursor),
};

/** A ban: app-wide when `channelId` is null. Expired bans are never answered: they end by themselves. */
export const Ban = Type.Object({
  userId: Type.String(),
  channelId: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  /** A shadow ban: the user's sends are answered as usual, and nobody else sees them. */
  shadow: Type.Boolean(),
  /** The moderator who banned; null for the app's server (API key). */
  bannedBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  /** Null: until lifted. */
  expiresAt: Type.Union([Timestamp, Type.Null()]),
});

/** `POST /api/moderation/bans` body. Banning again replaces the ban (its reason, expiry and kind). */
export const BanBody = Type.Object(
  {
    userId: UserId,
    reason: Type.Optional(Reason),
    /** Minutes until the ban lifts by itself; without it, until lifted. */
    timeoutMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.banMinutes })),
    shadow: Type.Optional(Type.Boolean()),
    /** Bans from this channel only (channel moderators may); without it, from the whole app. */
    channelId: Type.Optional(ChannelId),
  },
  { additionalProperties: false },
);

/** `{ ban }` */
export const BanResponse = Type.Object({ ban: Ban });

/** `GET /api/moderation/bans` query: app bans and channel bans, or one channel's. */
export const ListBansQuery = Type.Object({ channelId: Type.Optional(ChannelId), ...Page }, { additionalProperties: false });

/** `DELETE /api/moderation/bans/:userId` query. */
export const LiftBanQuery = Type.Object({ channelId: Type.Optional(ChannelId) }, { additionalProperties: false });

/** Path parameters naming the banned user. */
export const BanParams = Type.Object({ userId: UserId });

/** `{ bans, next }`, newest first. */
export const BansPage = Type.Object({ bans: Type.Array(Ban), next: Type.Union([Cursor, Type.Null()]) });

/** `POST /api/messages/:id/flag` and `POST /api/users/:id/flag` body. */
export const FlagBody = Type.Object(
  {
    reason: Type.Optional(Reason),
    custom: Type.Optional(CustomData),
  },
  { additionalProperties: false },
);

/** One user's report of a flagged message or user. */
export const FlagReport = Type.Object({
  /** The reporter; null when the system flagged it (a blocklist in `flag` mode). */
  userId: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  custom: CustomData,
  createdAt: Timestamp,
});

/** What a review did. */
export const ReviewAction = Type.Union([
  Type.Literal('dismiss'),
  Type.Literal('delete_message'),
  Type.Literal('ban_user'),
  Type.Literal('shadow_ban_user'),
]);

/**
 * One item of the review queue: a flagged message or user with every report
 * of it. A flag reported again after its review goes back to `pending`.
 */
export const Flag = Type.Object({
  id: Type.String(),
  targetType: Type.Union([Type.Literal('message'), Type.Literal('user')]),
  /** The flagged message; null for a user flag. */
  messageId: Type.Union([Type.String(), Type.Null()]),
  channelId: Type.Union([Type.String(), Type.Null()]),
  /** The flagged user, or the flagged message's author. */
  targetUserId: Type.Union([Type.String(), Type.Null()]),
  /** The message as stored (hidden or not), for the reviewer. */
  message: Type.Union([Message, Type.Null()]),
  /** The flagged user or the message's author. */
  user: Type.Union([User, Type.Null()]),
  status: Type.Union([Type.Literal('pending'), Type.Literal('reviewed')]),
  flagCount: Type.Integer(),
  /** Each distinct reason given, oldest first. */
  reasons: Type.Array(Type.String()),
  /** The newest reports (up to 20). */
  reports: Type.Array(FlagReport),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  /** The last review; null while never reviewed. */
  review: Type.Union([
    Type.Object({ action: ReviewAction, reviewedBy: Type.Union([Type.String(), Type.Null()]), reason: Type.Union([Type.String(), Type.Null()]), reviewedAt: Timestamp }),
    Type.Null(),
  ]),
});

/** `{ flag, created }`: `created` is false when the caller had already flagged this target. */
export const FlagResponse = Type.Object({ flag: Flag, created: Type.Boolean() });

/** `GET /api/moderation/flags` query; default `pending`. */
export const ListFlagsQuery = Type.Object(
  { status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('reviewed')])), ...Page },
  { additionalProperties: false },
);

/** `{ flags, next }`: pending oldest first (a queue), reviewed newest first. */
export const FlagsPage = Type.Object({ flags: Type.Array(Flag), next: Type.Union([Cursor, Type.Null()]) });

/** Path parameters naming a flag. */
export const FlagParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });

/** `POST /api/moderation/flags/:id/review` body. */
export const ReviewFlagBody = Type.Object(
  {
    action: ReviewAction,
    reason: Type.Optional(Reason),
    /** `delete_message`: remove it for good instead of leaving a tombstone. */
    hard: Type.Optional(Type.Boolean()),
    /** `ban_user`, `shadow_ban_user`: minutes until the ban lifts by itself. */
    timeoutMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.banMinutes })),
    /** `ban_user`, `shadow_ban_user`: ban from the flagged message's channel only. */
    channelOnly: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** `POST /api/moderation/flags/:id/review` answer: the flag as the review left it. */
export const ReviewFlagResponse = Type.Object({ flag: Flag });

/** What a blocklist does to a message that matches it. */
export const BlocklistMode = Type.Union([Type.Literal('block'), Type.Literal('flag'), Type.Literal('mask')]);

const BlocklistName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const BlockedWord = Type.String({ minLength: 1, maxLength: LIMITS.blocklistWordLength });
const BlockedPattern = Type.String({ minLength: 1, maxLength: LIMITS.blocklistPatternLength });

/** A named list of words and regular expressions. */
export const Blocklist = Type.Object({
  name: Type.String(),
  words: Type.Array(Type.String()),
  patterns: Type.Array(Type.String()),
  mode: BlocklistMode,
  /** Applied to every channel of these types, beside the channels that name it in their `blocklists`. */
  channelTypes: Type.Array(ChannelType),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

/** `POST /api/moderation/blocklists` body. */
export const CreateBlocklistBody = Type.Object(
  {
    name: BlocklistName,
    words: Type.Array(BlockedWord, { maxItems: LIMITS.blocklistWords }),
    patterns: Type.Optional(Type.Array(BlockedPattern, { maxItems: LIMITS.blocklistPatterns })),
    mode: BlocklistMode,
    channelTypes: Type.Optional(Type.Array(ChannelType, { maxItems: 4 })),
  },
  { additionalProperties: false },
);

/** `PATCH /api/moderation/blocklists/:name` body: what is given replaces what was. */
export const UpdateBlocklistBody = Type.Object(
  {
    words: Type.Optional(Type.Array(BlockedWord, { maxItems: LIMITS.blocklistWords })),
    patterns: Type.Optional(Type.Array(BlockedPattern, { maxItems: LIMITS.blocklistPatterns })),
    mode: Type.Optional(BlocklistMode),
    channelTypes: Type.Optional(Type.Array(ChannelType, { maxItems: 4 })),
  },
  { additionalProperties: false },
);

/** Path parameters naming a blocklist. */
export const BlocklistParams = Type.Object({ name: BlocklistName });

/** `{ blocklist }` */
export const BlocklistResponse = Type.Object({ blocklist: Blocklist });

/** `{ blocklists }`, by name. */
export const BlocklistsResponse = Type.Object({ blocklists: Type.Array(Blocklist) });

/** One moderation action as the audit log keeps it. */
export const AuditEntry = Type.Object({
  id: Type.String(),
  /** `ban`, `unban`, `flag`, `review`, `blocklist.create`, `channel.freeze`, `messages.delete`, … */
  action: Type.String(),
  /** Who did it; null for the app's server (API key) or the system (a blocklist, auto-hide). */
  actorId: Type.Union([Type.String(), Type.Null()]),
  targetType: Type.Union([Type.Literal('user'), Type.Literal('message'), Type.Literal('channel'), Type.Literal('flag'), Type.Literal('blocklist')]),
  targetId: Type.String(),
  channelId: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  /** What else the action says (a ban's expiry, a review's action, how many messages a bulk delete removed). */
  details: CustomData,
  createdAt: Timestamp,
});

/** `GET /api/moderation/audit` query. */
export const ListAuditQuery = Type.Object(
  { action: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), targetId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })), ...Page },
  { additionalProperties: false },
);

/** `{ entries, next }`, newest first. */
export const AuditPage = Type.Object({ entries: Type.Array(AuditEntry), next: Type.Union([Cursor, Type.Null()]) });

/** A user the caller muted. */
export const Mute = Type.Object({ userId: Type.String(), createdAt: Timestamp });

/** `{ mutes }`: the caller's muted users, newest first. */
export const MutesResponse = Type.Object({ mutes: Type.Array(Mute) });

/** `POST /api/moderation/users/:userId/delete-messages` body. */
export const DeleteUserMessagesBody = Type.Object(
  {
    /** Only this channel's messages; without it, every channel of the app. */
    channelId: Type.Optional(ChannelId),
    /** Remove them for good instead of leaving tombstones. */
    hard: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** `{ deleted }`: how many messages went. */
export const DeleteUserMessagesResponse = Type.Object({ deleted: Type.Integer() });
