/**
 * Documented size limits. The server enforces them and answers
 * `validation_failed` (or `payload_too_large` for the body) past them.
 */
export const LIMITS = {
  /** Largest request body, in bytes. */
  bodyBytes: 1024 * 1024,
  /** Largest request line and headers together, in bytes (past it: 431 `headers_too_large`). */
  headerBytes: 16 * 1024,
  /** User ids: 1 to 128 characters of letters, digits and `_ - . @ :`. */
  userIdLength: 128,
  userNameLength: 200,
  imageUrlLength: 2048,
  /** `custom` objects, serialised as JSON, in bytes. */
  customBytes: 5 * 1024,
  /** Users in one bulk upsert or one `ids=` filter. */
  usersPerBatch: 100,
  /** Largest page of any list. */
  pageSize: 100,
  appNameLength: 100,
  allowedOrigins: 50,
  channelIdLength: 128,
  channelNameLength: 200,
  /** Members added in one call, or given when creating a channel. */
  membersPerCall: 100,
  messageIdLength: 128,
  /** Default of the per-app `maxMessageLength` setting. */
  messageTextLength: 5000,
  /** No app may raise `maxMessageLength` past this. */
  messageTextHardLimit: 20000,
  /** Default of the per-app `maxConnectionsPerUser` setting: realtime connections one user may hold. */
  connectionsPerUser: 20,
  /** No app may raise `maxConnectionsPerUser` past this. */
  connectionsPerUserHardLimit: 1000,
  attachmentsPerMessage: 10,
  mentionsPerMessage: 100,
  messagesPerPage: 200,
  /** Largest message sequence number, so `before`/`after`/`around`: PostgreSQL's `integer`, 2^31 − 1. */
  messageSeq: 2_147_483_647,
  /** Largest attachment `size`, in bytes: 2^53 − 1, the largest integer a JSON number carries exactly. */
  attachmentSize: Number.MAX_SAFE_INTEGER,
  /** Longest `q` of `GET /api/search`, in characters. */
  searchQueryLength: 200,
  /** Words in one search `q`: each must match, so more only narrows (and costs). */
  searchWords: 8,
  /** Channels in one search's `channelId` filter. */
  searchChannels: 50,
  /** A moderator's reason (ban, flag, review), in characters. */
  moderationReasonLength: 500,
  /** Longest timed ban: ten years, in minutes. */
  banMinutes: 10 * 525_600,
  /** Words in one blocklist, and characters in one word. */
  blocklistWords: 10_000,
  blocklistWordLength: 100,
  /** Regular expressions in one blocklist, and characters in one. */
  blocklistPatterns: 100,
  blocklistPatternLength: 200,
  /** Blocklists one app may hold, and one channel may name. */
  blocklistsPerApp: 50,
  blocklistsPerChannel: 10,
  /** Longest slow-mode cooldown, in seconds (6 h). */
  cooldownSeconds: 21_600,
  /** Deepest nesting of objects and arrays in a body (and so in any `custom`). */
  jsonDepth: 32,
  /** Reactions carried in a message's `latestReactions`. */
  latestReactions: 5,
  /** A `link` attachment's `title`, `description` and `siteName`, in characters. */
  linkTitleLength: 300,
  linkDescriptionLength: 1000,
  linkSiteNameLength: 200,
  /** Default of the per-app `maxUploadBytes` setting: 25 MiB. */
  uploadBytes: 25 * 1024 * 1024,
  /** No app may raise `maxUploadBytes` past this: 1 GiB. */
  uploadBytesHardLimit: 1024 * 1024 * 1024,
  /** Largest image (width × height, every frame counted) that is decoded: past it, 422 `image_too_large`. */
  uploadImagePixels: 100_000_000,
  /** Longest side of an image's thumbnail, in pixels. */
  thumbnailSize: 512,
  /** Longest upload file name kept, in characters (the attachment's `name`). */
  uploadNameLength: 256,
  /** Entries in an app's `allowedUploadTypes`. */
  allowedUploadTypes: 100,
  /** How long a file link handed out with a message or an upload stays valid, in seconds (at least; see upload-links). */
  uploadLinkSeconds: 86_400,
  /** An upload never attached to a message is removed after this long, in seconds. */
  unattachedUploadSeconds: 86_400,
} as const;

/** The characters a user id may use. */
export const USER_ID_PATTERN = '^[A-Za-z0-9_.@:-]+$';

/**
 * URLs a client will load or link to (images, attachments): `http(s)://`
 * (the scheme in any case) and a host, no spaces. `javascript:`, `data:`,
 * `file:` and the rest are refused, so no client renders a stored script or
 * a local file from another user's input.
 */
export const HTTP_URL_PATTERN = '^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#]+([/?#]\\S*)?$';
