/**
 * @chatsdk/protocol: the types on the wire. This entry point has no runtime
 * dependency (types are erased); the TypeBox schemas behind them live in
 * `@chatsdk/protocol/schemas` for the server and for tools.
 */
import type { Static } from 'typebox';
import type * as S from './schemas/index.js';

export { ERROR_CODES, errorCodes, statusOf, isErrorCode } from './errors.js';
export type { ErrorCode, ErrorBody } from './errors.js';
export { LIMITS, USER_ID_PATTERN } from './limits.js';

/** A user as the API returns it. */
export type User = Static<typeof S.User>;
/** `user` | `moderator` | `admin`. */
export type UserRole = Static<typeof S.UserRole>;
/** One user in `POST /api/users`. */
export type UpsertUser = Static<typeof S.UpsertUser>;
/** `POST /api/users` body. */
export type UpsertUsersBody = Static<typeof S.UpsertUsersBody>;
/** `PATCH /api/users/me` body. */
export type UpdateMeBody = Static<typeof S.UpdateMeBody>;
/** `GET /api/users` query. */
export type ListUsersQuery = Static<typeof S.ListUsersQuery> & { [filter: `custom.${string}`]: string };
/** `{ user }` */
export type UserResponse = Static<typeof S.UserResponse>;
/** `{ users, next }` */
export type UsersPage = Static<typeof S.UsersPage>;
/** `{ users }` */
export type UsersResponse = Static<typeof S.UsersResponse>;
/** `POST /api/users/:id/revoke-tokens` answer. */
export type RevokeTokensResponse = Static<typeof S.RevokeTokensResponse>;
/** `POST /tokens` body. */
export type CreateTokenBody = Static<typeof S.CreateTokenBody>;
/** `POST /tokens` answer. */
export type CreateTokenResponse = Static<typeof S.CreateTokenResponse>;
/** An app as its server sees it. */
export type App = Static<typeof S.App>;
/** `PATCH /api/app` body. */
export type UpdateAppBody = Static<typeof S.UpdateAppBody>;
/** An API key as listed (never the key itself). */
export type ApiKey = Static<typeof S.ApiKey>;
/** A newly created API key, with the key shown once. */
export type NewApiKey = Static<typeof S.NewApiKey>;
/** `POST /api/app/keys/:id/rotate` body. */
export type RotateKeyBody = Static<typeof S.RotateKeyBody>;
/** `GET /health` answer. */
export type HealthResponse = Static<typeof S.HealthResponse>;
/** `{ app }` */
export type AppResponse = Static<typeof S.AppResponse>;
/** `{ keys }` */
export type ApiKeysResponse = Static<typeof S.ApiKeysResponse>;
/** `{ key }` */
export type ApiKeyResponse = Static<typeof S.ApiKeyResponse>;

export type {
  ChannelEvent,
  ChannelEventType,
  ChannelEventInput,
  ThreadSummary,
  MessageNewEvent,
  MessageUpdatedEvent,
  MessageDeletedEvent,
  ReactionNewEvent,
  ReactionDeletedEvent,
  MemberAddedEvent,
  MemberRemovedEvent,
  MemberUpdatedEvent,
  ChannelUpdatedEvent,
  ChannelDeletedEvent,
  ChannelTruncatedEvent,
  MessageReadEvent,
  TypingStartEvent,
  TypingStopEvent,
  TransientChannelEvent,
  RealtimeChannelEvent,
} from './events.js';
export { personalChannel } from './user-events.js';
export type {
  UnreadTotals,
  AddedToChannelEvent,
  RemovedFromChannelEvent,
  ChannelDeletedNotification,
  NotificationMessageNewEvent,
  NotificationMarkReadEvent,
  UserOnlineEvent,
  UserOfflineEvent,
  UserEvent,
  UserEventType,
} from './user-events.js';

/** `messaging` | `team` | `public` | `livestream`. */
export type ChannelType = Static<typeof S.ChannelType>;
/** `member` | `moderator` | `admin` | `owner`. */
export type ChannelRole = Static<typeof S.ChannelRole>;
/** A channel as the API returns it. */
export type Channel = Static<typeof S.Channel>;
/** The caller's membership of a channel. */
export type Membership = Static<typeof S.Membership>;
/** A channel member as listed. */
export type Member = Static<typeof S.Member>;
/** A channel with its last message and the caller's membership. */
export type ChannelState = Static<typeof S.ChannelState>;
/** `POST /api/channels` body. */
export type CreateChannelBody = Static<typeof S.CreateChannelBody>;
/** `PATCH /api/channels/:id` body. */
export type UpdateChannelBody = Static<typeof S.UpdateChannelBody>;
/** `GET /api/channels` query. */
export type ListChannelsQuery = Static<typeof S.ListChannelsQuery> & { [filter: `custom.${string}`]: string };
/** `{ channels, next }` */
export type ChannelsPage = Static<typeof S.ChannelsPage>;
/** `POST /api/channels/:id/members` body. */
export type AddMembersBody = Static<typeof S.AddMembersBody>;
/** `PATCH /api/channels/:id/members/:userId` body. */
export type UpdateMemberBody = Static<typeof S.UpdateMemberBody>;
/** `PATCH /api/channels/:id/membership` body. */
export type UpdateMembershipBody = Static<typeof S.UpdateMembershipBody>;
/** `{ members, next }` */
export type MembersPage = Static<typeof S.MembersPage>;
/** `{ members }` */
export type MembersResponse = Static<typeof S.MembersResponse>;
/** `{ member }` */
export type MemberResponse = Static<typeof S.MemberResponse>;
/** `{ membership }` */
export type MembershipResponse = Static<typeof S.MembershipResponse>;
/** Attachment metadata. */
export type Attachment = Static<typeof S.Attachment>;
/** One user's reaction. */
export type Reaction = Static<typeof S.Reaction>;
/** What a quoting message shows of the quoted one. */
export type QuotedMessage = Static<typeof S.QuotedMessage>;
/** A message as the API and events carry it. */
export type Message = Static<typeof S.Message>;
/** `POST /api/channels/:id/messages` body. */
export type SendMessageBody = Static<typeof S.SendMessageBody>;
/** `PATCH /api/messages/:id` body. */
export type UpdateMessageBody = Static<typeof S.UpdateMessageBody>;
/** Paging by message sequence. */
export type ListMessagesQuery = Static<typeof S.ListMessagesQuery>;
/** `{ messages, hasMore }` */
export type MessagesPage = Static<typeof S.MessagesPage>;
/** `{ message }` */
export type MessageResponse = Static<typeof S.MessageResponse>;
/** `POST /api/messages/:id/reactions` body. */
export type SendReactionBody = Static<typeof S.SendReactionBody>;
/** `{ message, reaction }` */
export type ReactionResponse = Static<typeof S.ReactionResponse>;
/** `{ messages, next }` of the caller's mentions. */
export type MentionsPage = Static<typeof S.MentionsPage>;
/** `{ messages, next }` of a channel's pinned messages. */
export type PinnedPage = Static<typeof S.PinnedPage>;
/** `GET /api/search` query. */
export type SearchQuery = Static<typeof S.SearchQuery>;
/** `{ results, next? }` of a message search. */
export type SearchResponse = Static<typeof S.SearchResponse>;
/** `POST /api/channels/:id/read` body. */
export type MarkReadBody = Static<typeof S.MarkReadBody>;
/** A member's read position. */
export type ReadState = Static<typeof S.ReadState>;
/** `{ read, unreadCount }` */
export type ReadResponse = Static<typeof S.ReadResponse>;
/** `GET /api/channels/:id/read` query. */
export type ListReadsQuery = Static<typeof S.ListReadsQuery>;
/** `{ reads, next }` */
export type ReadsPage = Static<typeof S.ReadsPage>;
/** `GET /api/users/me/unread` */
export type UnreadResponse = Static<typeof S.UnreadResponse>;
/** A blocked user. */
export type Block = Static<typeof S.Block>;
/** `{ blocks }` */
export type BlocksResponse = Static<typeof S.BlocksResponse>;
/** `POST /api/channels/:id/typing` body. */
export type TypingBody = Static<typeof S.TypingBody>;
/** `GET /api/users/presence` query. */
export type PresenceQuery = Static<typeof S.PresenceQuery>;
/** One user's online state. */
export type UserPresence = Static<typeof S.UserPresence>;
/** `{ users }` of presence. */
export type PresenceResponse = Static<typeof S.PresenceResponse>;
/** `image` | `video` | `audio` | `file`: what an upload is, from its sniffed type. */
export type UploadKind = Static<typeof S.UploadKind>;
/** A stored file, with its signed links. */
export type Upload = Static<typeof S.Upload>;
/** `{ upload }` */
export type UploadResponse = Static<typeof S.UploadResponse>;
/** A webhook as listed (never its secret). */
export type Webhook = Static<typeof S.Webhook>;
/** A webhook with its `whsec_…` secret, shown once. */
export type WebhookWithSecret = Static<typeof S.WebhookWithSecret>;
/** `POST /api/app/webhooks` body. */
export type CreateWebhookBody = Static<typeof S.CreateWebhookBody>;
/** `PATCH /api/app/webhooks/:id` body. */
export type UpdateWebhookBody = Static<typeof S.UpdateWebhookBody>;
/** `pending` | `delivered` | `failed`. */
export type DeliveryStatus = Static<typeof S.DeliveryStatus>;
/** One event's delivery to one webhook. */
export type WebhookDelivery = Static<typeof S.WebhookDelivery>;
/** `GET /api/app/webhooks/:id/deliveries` query. */
export type ListDeliveriesQuery = Static<typeof S.ListDeliveriesQuery>;
/** `POST /api/app/webhooks/:id/replay` body. */
export type ReplayWebhookBody = Static<typeof S.ReplayWebhookBody>;
/** `{ webhook }` */
export type WebhookResponse = Static<typeof S.WebhookResponse>;
/** `{ webhook }` with its secret. */
export type WebhookWithSecretResponse = Static<typeof S.WebhookWithSecretResponse>;
/** `{ webhooks }` */
export type WebhooksResponse = Static<typeof S.WebhooksResponse>;
/** `{ deliveries, next }` */
export type DeliveriesPage = Static<typeof S.DeliveriesPage>;
/** `{ replayed }` */
export type ReplayResponse = Static<typeof S.ReplayResponse>;
/** `PATCH /api/app` `beforeSendHook`. */
export type BeforeSendHookSettings = Static<typeof S.BeforeSendHookSettings>;
/** The before-send hook as the app shows it. */
export type BeforeSendHook = Static<typeof S.BeforeSendHook>;
export type { WebhookBody, WebhookEventType, AppEvent, UserCreatedEvent, UserUpdatedEvent, UserDeletedEvent, WebhookDisabledEvent } from './webhook-events.js';
export { WEBHOOK_EVENT_TYPES } from './webhook-events.js';
/** `PATCH /api/app` answer: `{ app, beforeSendHookSecret? }`. */
export type UpdateAppResponse = Static<typeof S.UpdateAppResponse>;
export type { BeforeSendAnswer, BeforeSendMessage, BeforeSendRequest } from './before-send.js';
/** A ban; app-wide when `channelId` is null. */
export type Ban = Static<typeof S.Ban>;
/** `POST /api/moderation/bans` body. */
export type BanBody = Static<typeof S.BanBody>;
/** `{ ban }` */
export type BanResponse = Static<typeof S.BanResponse>;
/** `GET /api/moderation/bans` query. */
export type ListBansQuery = Static<typeof S.ListBansQuery>;
/** `DELETE /api/moderation/bans/:userId` query. */
export type LiftBanQuery = Static<typeof S.LiftBanQuery>;
/** `{ bans, next }` */
export type BansPage = Static<typeof S.BansPage>;
/** `POST /api/messages/:id/flag` and `POST /api/users/:id/flag` body. */
export type FlagBody = Static<typeof S.FlagBody>;
/** One user's report in a flag. */
export type FlagReport = Static<typeof S.FlagReport>;
/** `dismiss` | `delete_message` | `ban_user` | `shadow_ban_user`. */
export type ReviewAction = Static<typeof S.ReviewAction>;
/** An item of the review queue. */
export type Flag = Static<typeof S.Flag>;
/** `{ flag, created }` */
export type FlagResponse = Static<typeof S.FlagResponse>;
/** `GET /api/moderation/flags` query. */
export type ListFlagsQuery = Static<typeof S.ListFlagsQuery>;
/** `{ flags, next }` */
export type FlagsPage = Static<typeof S.FlagsPage>;
/** `POST /api/moderation/flags/:id/review` body. */
export type ReviewFlagBody = Static<typeof S.ReviewFlagBody>;
/** `{ flag }`: the flag as the review left it. */
export type ReviewFlagResponse = Static<typeof S.ReviewFlagResponse>;
/** `block` | `flag` | `mask`. */
export type BlocklistMode = Static<typeof S.BlocklistMode>;
/** A named list of blocked words and patterns. */
export type Blocklist = Static<typeof S.Blocklist>;
/** `POST /api/moderation/blocklists` body. */
export type CreateBlocklistBody = Static<typeof S.CreateBlocklistBody>;
/** `PATCH /api/moderation/blocklists/:name` body. */
export type UpdateBlocklistBody = Static<typeof S.UpdateBlocklistBody>;
/** `{ blocklist }` */
export type BlocklistResponse = Static<typeof S.BlocklistResponse>;
/** `{ blocklists }` */
export type BlocklistsResponse = Static<typeof S.BlocklistsResponse>;
/** One entry of the moderation audit log. */
export type AuditEntry = Static<typeof S.AuditEntry>;
/** `GET /api/moderation/audit` query. */
export type ListAuditQuery = Static<typeof S.ListAuditQuery>;
/** `{ entries, next }` */
export type AuditPage = Static<typeof S.AuditPage>;
/** A muted user. */
export type Mute = Static<typeof S.Mute>;
/** `{ mutes }` */
export type MutesResponse = Static<typeof S.MutesResponse>;
/** `POST /api/moderation/users/:userId/delete-messages` body. */
export type DeleteUserMessagesBody = Static<typeof S.DeleteUserMessagesBody>;
/** `{ deleted }` */
export type DeleteUserMessagesResponse = Static<typeof S.DeleteUserMessagesResponse>;
export type { ModerationEvent, ModerationFlaggedEvent, UserBannedEvent, UserUnbannedEvent } from './moderation-events.js';
