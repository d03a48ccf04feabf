import type { ColumnType } from 'kysely';

/**
 * Tables as Kysely sees them. Timestamps are integer milliseconds since the
 * epoch in both dialects (PostgreSQL `bigint`, parsed to `number`), so no
 * code path depends on a dialect's date type.
 */
export interface Database {
  apps: AppsTable;
  api_keys: ApiKeysTable;
  users: UsersTable;
  channels: ChannelsTable;
  members: MembersTable;
  messages: MessagesTable;
  reactions: ReactionsTable;
  mentions: MentionsTable;
  blocks: BlocksTable;
  channel_events: ChannelEventsTable;
  uploads: UploadsTable;
  link_previews: LinkPreviewsTable;
  webhooks: WebhooksTable;
  outbox: OutboxTable;
  bans: BansTable;
  user_mutes: UserMutesTable;
  flags: FlagsTable;
  flag_reports: FlagReportsTable;
  blocklists: BlocklistsTable;
  moderation_audit: ModerationAuditTable;
}

/** JSON stored as `text` in SQLite and `jsonb` in PostgreSQL: written as a string, read as either. */
export type JsonColumn = ColumnType<unknown, string, string>;

export interface AppsTable {
  id: string;
  name: string;
  /** HS256 signing secret of the app's tokens; never leaves the server. */
  jwt_secret: string;
  token_ttl_seconds: number;
  /** JSON array of origins; empty allows every origin. */
  allowed_origins: string;
  created_at: number;
  /** Longest message text, in characters. */
  max_message_length: ColumnType<number, number | undefined, number>;
  /** Realtime connections one user may hold on one process. */
  max_connections_per_user: ColumnType<number, number | undefined, number>;
  /** Largest upload, in bytes. */
  max_upload_bytes: ColumnType<number, number | undefined, number>;
  /** JSON array of accepted media types (`image/png`, `image/*`, or the all-types wildcard). */
  allowed_upload_types: ColumnType<string, string | undefined, string>;
  /** Whether links in messages get previews. */
  link_previews: ColumnType<Flag, Flag | undefined, Flag>;
  /** The before-send hook's URL; null: no hook. */
  before_send_url: ColumnType<string | null, string | null | undefined, string | null>;
  before_send_timeout_ms: ColumnType<number, number | undefined, number>;
  /** `allow` | `reject`: what a send does when the hook does not answer in time. */
  before_send_on_failure: ColumnType<string, string | undefined, string>;
  /** The hook's signing secret (`whsec_…`), sealed by the secret box. */
  before_send_secret: ColumnType<string | null, string | null | undefined, string | null>;
  /** Flags after which a message is hidden for review; null: never. */
  auto_hide_after_flags: ColumnType<number | null, number | null | undefined, number | null>;
  /** Moves with every change to the app's blocklists: compiled matchers of an older version are stale. */
  blocklists_version: ColumnType<number, number | undefined, number>;
}

export interface ApiKeysTable {
  id: string;
  app_id: string;
  /** SHA-256 of the key, hex: the key itself is never stored. */
  key_hash: string;
  hint: string;
  created_at: number;
  /** Set when the key is rotated: it keeps working until then. */
  expires_at: number | null;
  revoked_at: number | null;
}

export interface UsersTable {
  app_id: string;
  id: string;
  name: string | null;
  image: string | null;
  custom: JsonColumn;
  role: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  /** Tokens issued before this instant (ms) are refused. */
  tokens_valid_after: number | null;
  last_active_at: number | null;
}

/** 0/1: booleans are integers in both dialects. */
export type Flag = number;

export interface ChannelsTable {
  app_id: string;
  id: string;
  type: string;
  name: string | null;
  image: string | null;
  custom: JsonColumn;
  created_by: string | null;
  /** Hash of type and sorted member ids for distinct channels; unique per app. */
  distinct_key: string | null;
  member_count: number;
  last_message_seq: number;
  last_message_id: string | null;
  last_message_at: number | null;
  /** Offset of the newest event in the channel's stream. */
  last_offset: number;
  epoch: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  frozen: ColumnType<Flag, Flag | undefined, Flag>;
  cooldown_seconds: ColumnType<number, number | undefined, number>;
  /** JSON array of blocklist names. */
  blocklists: ColumnType<string, string | undefined, string>;
}

export interface MembersTable {
  app_id: string;
  channel_id: string;
  user_id: string;
  role: string;
  joined_at: number;
  last_read_seq: number;
  last_read_message_id: string | null;
  last_read_at: number | null;
  unread_mentions: number;
  muted: Flag;
  pinned: Flag;
  archived: Flag;
  /** When the member last sent, for slow mode; null: never (or before slow mode was on). */
  last_sent_at: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface MessagesTable {
  app_id: string;
  id: string;
  channel_id: string;
  seq: number;
  user_id: string | null;
  text: string;
  attachments: string;
  mentioned_users: string;
  quoted_message_id: string | null;
  parent_id: string | null;
  show_in_channel: Flag;
  reply_count: number;
  last_reply_at: number | null;
  thread_participants: string;
  custom: string;
  silent: Flag;
  pinned_at: number | null;
  pinned_by: string | null;
  reaction_counts: string;
  reaction_scores: string;
  latest_reactions: string;
  /** SHA-256 of the sent body: a resend with the same id must match it. */
  body_hash: string;
  created_at: number;
  updated_at: number;
  edited_at: number | null;
  deleted_at: number | null;
  /** 1: sent by a shadow-banned user; only they and moderators see it. */
  shadowed: ColumnType<Flag, Flag | undefined, Flag>;
  /** 1: hidden for review (auto-hidden after flags); served without its text and attachments. */
  hidden: ColumnType<Flag, Flag | undefined, Flag>;
}

export interface ReactionsTable {
  app_id: string;
  message_id: string;
  user_id: string;
  type: string;
  score: number;
  created_at: number;
}

export interface MentionsTable {
  app_id: string;
  user_id: string;
  message_id: string;
  channel_id: string;
  created_at: number;
}

export interface BlocksTable {
  app_id: string;
  blocker_id: string;
  blocked_id: string;
  created_at: number;
}

export interface ChannelEventsTable {
  app_id: string;
  channel_id: string;
  stream_offset: number;
  type: string;
  /** The event's JSON, exactly as published. */
  payload: string;
  created_at: number;
}

/** `pending` while its bytes arrive, `ready` once stored, `deleted` while its bytes wait to be removed. */
export type UploadState = 'pending' | 'ready' | 'deleted';

export interface UploadsTable {
  app_id: string;
  id: string;
  state: UploadState;
  /** The channel it may be attached in; null for an upload made without one, until attached. */
  channel_id: string | null;
  /** The uploader; null when the app's backend uploaded it. */
  user_id: string | null;
  /** The message it is attached to; an upload is attached to one message at most. */
  message_id: string | null;
  /** `image`, `video`, `audio` or `file`, from the sniffed type. */
  kind: string;
  name: string;
  /** Sniffed from the bytes. */
  mime_type: string;
  /** Bytes of what is served. */
  size: number;
  width: number | null;
  height: number | null;
  /** Strong validator of the served bytes: their SHA-256, shortened. */
  etag: string;
  storage_key: string;
  thumb_key: string | null;
  created_at: number;
  attached_at: number | null;
  deleted_at: number | null;
}

/** The link preview cache, by the SHA-256 of the URL (hex). */
export interface LinkPreviewsTable {
  url_hash: string;
  /** The preview's JSON; null when the page had nothing to show or could not be fetched. */
  preview: string | null;
  fetched_at: number;
  expires_at: number;
}

export interface WebhooksTable {
  app_id: string;
  id: string;
  url: string;
  /** JSON array of event types and `family.*` wildcards; `["*"]` is every type. */
  events: string;
  description: ColumnType<string, string | undefined, string>;
  /** The signing secret (`whsec_…`), sealed by the secret box. */
  secret: string;
  /** The secret before the last rotation, which also signs until `previous_secret_until`. */
  previous_secret: string | null;
  previous_secret_until: number | null;
  /** Start of the current run of failed deliveries; null while they succeed. */
  failing_since: number | null;
  disabled_at: number | null;
  created_at: number;
  updated_at: number;
}

/** `pending` (due or retrying), `delivered`, `failed` (given up). */
export type OutboxStatus = 'pending' | 'delivered' | 'failed';

export interface OutboxTable {
  /** Write order; within one lane of one target, the order the events happened in. */
  seq: ColumnType<number, never, never>;
  app_id: string;
  /** The event's id, the `webhook-id` header: the same on every attempt and replay. */
  event_id: string;
  /** `webhook` (push shares the table later). */
  target_kind: string;
  target_id: string;
  /** Ordering key: a channel id, or `user:<id>` for user events. */
  lane: string;
  type: string;
  /** The body exactly as delivered. */
  payload: string;
  status: OutboxStatus;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: number;
  /** A worker holds the row until then; null: nobody does. */
  lease_until: number | null;
  last_status_code: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  created_at: number;
  delivered_at: number | null;
}

export interface BansTable {
  app_id: string;
  user_id: string;
  /** '' for an app-wide ban. */
  channel_id: string;
  shadow: Flag;
  reason: string | null;
  /** The moderator; null for the server (API key). */
  banned_by: string | null;
  created_at: number;
  /** Null: until lifted. An expired row counts as no ban. */
  expires_at: number | null;
}

export interface UserMutesTable {
  app_id: string;
  muter_id: string;
  muted_id: string;
  created_at: number;
}

/** `pending` until reviewed; a new report of a reviewed target makes it `pending` again. */
export type FlagStatus = 'pending' | 'reviewed';

export interface FlagsTable {
  app_id: string;
  id: string;
  /** `message` | `user`. */
  target_type: string;
  /** The message's or the user's id. */
  target_id: string;
  channel_id: string | null;
  /** The flagged user, or the message's author. */
  target_user_id: string | null;
  status: FlagStatus;
  flag_count: ColumnType<number, number | undefined, number>;
  review_action: string | null;
  reviewed_by: string | null;
  review_reason: string | null;
  reviewed_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface FlagReportsTable {
  app_id: string;
  flag_id: string;
  /** The reporting user; '' for the system (a blocklist in flag mode). */
  reporter_id: string;
  reason: string | null;
  custom: ColumnType<string, string | undefined, string>;
  created_at: number;
}

export interface BlocklistsTable {
  app_id: string;
  name: string;
  /** JSON array of words. */
  words: string;
  /** JSON array of regular expressions (RE2 syntax). */
  patterns: string;
  /** `block` | `flag` | `mask`. */
  mode: string;
  /** JSON array of channel types the list applies to whole. */
  channel_types: ColumnType<string, string | undefined, string>;
  created_at: number;
  updated_at: number;
}

export interface ModerationAuditTable {
  app_id: string;
  id: string;
  action: string;
  /** The acting user; null for the server (API key) or the system. */
  actor_id: string | null;
  target_type: string;
  target_id: string;
  channel_id: string | null;
  reason: string | null;
  /** JSON object. */
  details: ColumnType<string, string | undefined, string>;
  created_at: number;
}
