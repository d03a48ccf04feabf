import { Type } from 'typebox';
import { LIMITS } from '../limits.js';
import { Timestamp } from './common.js';
import { BeforeSendHook, BeforeSendHookSettings } from './webhooks.js';

const Origin = Type.String({ minLength: 1, maxLength: 256, pattern: '^(\\*|https?://[^/\\s]+)$' });

/** A media type an app accepts for uploads, in lower case: `image/png`, a wildcard subtype as in `image/*`, or the all-types wildcard. */
export const UploadTypePattern = Type.String({
  minLength: 3,
  maxLength: 128,
  pattern: '^(\\*/\\*|[a-z0-9][a-z0-9.+-]*/(\\*|[a-z0-9][a-z0-9.+-]*))$',
});

/** An app as its own server sees it (the signing secret is never returned). */
export const App = Type.Object({
  id: Type.String(),
  name: Type.String(),
  tokenTtlSeconds: Type.Integer(),
  allowedOrigins: Type.Array(Type.String()),
  maxMessageLength: Type.Integer(),
  maxConnectionsPerUser: Type.Integer(),
  /** Largest upload, in bytes. */
  maxUploadBytes: Type.Integer(),
  /** Media types accepted for uploads; the all-types wildcard (the default) takes every type but executables, which must be named to be accepted. */
  allowedUploadTypes: Type.Array(Type.String()),
  /** Whether links in messages get previews (a sender may still opt out per message). */
  linkPreviews: Type.Boolean(),
  /** The before-send hook asked about every user's new message; null: none. Its signing secret is never shown here. */
  beforeSendHook: Type.Union([BeforeSendHook, Type.Null()]),
  /** A message is hidden for review once this many users flagged it; null: never (the default). */
  autoHideAfterFlags: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Timestamp,
});

/** `PATCH /api/app` body. An empty `allowedOrigins` allows every origin. */
export const UpdateAppBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.appNameLength })),
    tokenTtlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 30 * 86400 })),
    allowedOrigins: Type.Optional(Type.Array(Origin, { maxItems: LIMITS.allowedOrigins })),
    maxMessageLength: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.messageTextHardLimit })),
    maxConnectionsPerUser: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.connectionsPerUserHardLimit })),
    maxUploadBytes: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.uploadBytesHardLimit })),
    allowedUploadTypes: Type.Optional(Type.Array(UploadTypePattern, { minItems: 1, maxItems: LIMITS.allowedUploadTypes })),
    linkPreviews: Type.Optional(Type.Boolean()),
    /**
     * Sets the before-send hook as a whole (omitted fields take their defaults: 1000 ms, `allow`); null removes it
     * and its secret. The first time a hook is set, the answer carries its new signing secret.
     */
    beforeSendHook: Type.Optional(Type.Union([BeforeSendHookSettings, Type.Null()])),
    /** `true`: the hook gets a new signing secret at once (the old one stops signing); the answer carries it. */
    rotateBeforeSendHookSecret: Type.Optional(Type.Boolean()),
    /** Hide a message for review once this many users flagged it; null turns it off. */
    autoHideAfterFlags: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1000 }), Type.Null()])),
  },
  { additionalProperties: false },
);

/** `PATCH /api/app` answer: the app, and the hook's signing secret when this change created one (shown this once). */
export const UpdateAppResponse = Type.Object({
  app: App,
  beforeSendHookSecret: Type.Optional(Type.String({ description: 'whsec_…: verify the hook requests with it; never shown again' })),
});

/** An API key as listed: never the key itself, only a hint of it. */
export const ApiKey = Type.Object({
  id: Type.String(),
  hint: Type.String({ description: 'chatsdk_ + the first four and the last four characters' }),
  createdAt: Timestamp,
  expiresAt: Type.Union([Timestamp, Type.Null()]),
  revokedAt: Type.Union([Timestamp, Type.Null()]),
});

/** A new key: `apiKey` is shown this once and never again. */
export const NewApiKey = Type.Object({ key: ApiKey, apiKey: Type.String() });

/** `POST /api/app/keys/:id/rotate` body. */
export const RotateKeyBody = Type.Object(
  { overlapSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86400 })) },
  { additionalProperties: false },
);

/** Path parameters naming an API key. */
export const ApiKeyParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const AppResponse = Type.Object({ app: App });
export const ApiKeysResponse = Type.Object({ keys: Type.Array(ApiKey) });
export const ApiKeyResponse = Type.Object({ key: ApiKey });
