import { Type } from 'typebox';
import { LIMITS } from '../limits.js';
import { Cursor, CustomData, HttpUrl, Timestamp } from './common.js';
import { Message } from './messages.js';
import { UserId } from './users.js';

/** Channel ids share the user id alphabet. */
export const ChannelId = Type.String({ minLength: 1, maxLength: LIMITS.channelIdLength, pattern: '^[A-Za-z0-9_.@:-]+$' });

/** The built-in channel types; their behaviour is data (see `CHANNEL_TYPES`). */
export const ChannelType = Type.Union([
  Type.Literal('messaging'),
  Type.Literal('team'),
  Type.Literal('public'),
  Type.Literal('livestream'),
]);

/** A member's role in one channel, lowest to highest: member, moderator, admin, owner. */
export const ChannelRole = Type.Union([
  Type.Literal('member'),
  Type.Literal('moderator'),
  Type.Literal('admin'),
  Type.Literal('owner'),
]);

/** A channel as every endpoint returns it. */
export const Channel = Type.Object(
  {
    id: Type.String(),
    type: ChannelType,
    name: Type.Union([Type.String(), Type.Null()]),
    image: Type.Union([Type.String(), Type.Null()]),
    custom: CustomData,
    createdBy: Type.Union([Type.String(), Type.Null()]),
    distinct: Type.Boolean(),
    memberCount: Type.Integer(),
    /** Sequence of the newest message; 0 for none. */
    lastMessageSeq: Type.Integer(),
    lastMessageAt: Type.Union([Timestamp, Type.Null()]),
    /** The realtime stream: offset of the newest durable event, and the stream's epoch. */
    offset: Type.Integer(),
    epoch: Type.String(),
    /** Only moderators (and the server) send or react while it is frozen. */
    frozen: Type.Boolean(),
    /** Slow mode: a member sends at most once per this many seconds; 0: off. Moderators are exempt. */
    cooldownSeconds: Type.Integer(),
    /** Names of the app's blocklists applied to this channel (besides those applied to its whole type). */
    blocklists: Type.Array(Type.String()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Channel' },
);

/** The caller's own membership, as carried by channel lists. */
export const Membership = Type.Object({
  role: ChannelRole,
  muted: Type.Boolean(),
  pinned: Type.Boolean(),
  archived: Type.Boolean(),
  joinedAt: Timestamp,
  lastReadSeq: Type.Integer(),
  unreadCount: Type.Integer(),
  unreadMentions: Type.Integer(),
  /** Set while the caller is banned from this channel or the app (a shadow ban is never shown to the banned user). */
  ban: Type.Optional(Type.Object({ expiresAt: Type.Union([Timestamp, Type.Null()]), channelId: Type.Union([Type.String(), Type.Null()]) })),
});

/** A member as listed. */
export const Member = Type.Object({
  userId: Type.String(),
  role: ChannelRole,
  joinedAt: Timestamp,
  lastReadSeq: Type.Integer(),
  lastReadAt: Type.Union([Timestamp, Type.Null()]),
});

/** A channel with what a channel list shows beside it. */
export const ChannelState = Type.Object({
  channel: Channel,
  lastMessage: Type.Union([Message, Type.Null()]),
  membership: Type.Union([Membership, Type.Null()]),
});

/** `POST /api/channels` body. */
export const CreateChannelBody = Type.Object(
  {
    type: ChannelType,
    id: Type.Optional(ChannelId),
    name: Type.Optional(Type.String({ maxLength: LIMITS.channelNameLength })),
    image: Type.Optional(HttpUrl),
    members: Type.Optional(Type.Array(UserId, { maxItems: LIMITS.membersPerCall })),
    custom: Type.Optional(CustomData),
    /** With `members`: return the one channel of this type for exactly this member set. */
    distinct: Type.Optional(Type.Boolean()),
    /** Server only: the user who owns the channel. */
    createdBy: Type.Optional(UserId),
  },
  { additionalProperties: false },
);

/** `PATCH /api/channels/:id` body. */
export const UpdateChannelBody = Type.Object(
  {
    name: Type.Optional(Type.Union([Type.String({ maxLength: LIMITS.channelNameLength }), Type.Null()])),
    image: Type.Optional(Type.Union([HttpUrl, Type.Null()])),
    custom: Type.Optional(CustomData),
    /** Moderators and above: only moderators send or react while frozen. */
    frozen: Type.Optional(Type.Boolean()),
    /** Moderators and above: slow mode, 0 to turn it off. */
    cooldownSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.cooldownSeconds })),
    /** Moderators and above: the app's blocklists this channel applies, by name (replaces the list). */
    blocklists: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }), { maxItems: LIMITS.blocklistsPerChannel })),
  },
  { additionalProperties: false },
);

/** `GET /api/channels` query; `custom.<key>=<value>` filters are accepted beside these. */
export const ListChannelsQuery = Type.Object(
  {
    type: Type.Optional(ChannelType),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.channelNameLength })),
    member: Type.Optional(UserId),
    /** false: channels listed to the app (team, public, livestream) that the caller has not joined. */
    joined: Type.Optional(Type.Boolean()),
    hasUnread: Type.Optional(Type.Boolean()),
    archived: Type.Optional(Type.Boolean()),
    sort: Type.Optional(Type.Union([Type.Literal('lastMessageAt'), Type.Literal('createdAt'), Type.Literal('unread')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageSize })),
    cursor: Type.Optional(Cursor),
  },
  {
    additionalProperties: false,
    patternProperties: { '^custom\\.[A-Za-z0-9_-]{1,64}$': Type.String({ maxLength: 256 }) },
  },
);

/** `{ channel }` for create and get, with the caller's view. */
export const ChannelResponse = ChannelState;

/** `{ channels, next }` */
export const ChannelsPage = Type.Object({ channels: Type.Array(ChannelState), next: Type.Union([Cursor, Type.Null()]) });

/** Path parameters naming a channel. */
export const ChannelParams = Type.Object({ id: ChannelId });

/** Path parameters naming a member of a channel. */
export const MemberParams = Type.Object({ id: ChannelId, userId: UserId });

/** `POST /api/channels/:id/members` body. */
export const AddMembersBody = Type.Object(
  {
    userIds: Type.Array(UserId, { minItems: 1, maxItems: LIMITS.membersPerCall }),
    role: Type.Optional(ChannelRole),
  },
  { additionalProperties: false },
);

/** `PATCH /api/channels/:id/members/:userId` body. */
export const UpdateMemberBody = Type.Object({ role: ChannelRole }, { additionalProperties: false });

/** `PATCH /api/channels/:id/membership` body: the caller's own settings for a channel. */
export const UpdateMembershipBody = Type.Object(
  {
    muted: Type.Optional(Type.Boolean()),
    pinned: Type.Optional(Type.Boolean()),
    archived: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** `GET /api/channels/:id/members` query. */
export const ListMembersQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageSize })),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

/** `{ members, next }` */
export const MembersPage = Type.Object({ members: Type.Array(Member), next: Type.Union([Cursor, Type.Null()]) });

/** `{ members }`: the members an add call added. */
export const MembersResponse = Type.Object({ members: Type.Array(Member) });

/** `{ member }` */
export const MemberResponse = Type.Object({ member: Member });

/** `{ membership }` */
export const MembershipResponse = Type.Object({ membership: Membership });
