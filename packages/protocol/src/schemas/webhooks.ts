import { Type } from 'typebox';
import { Cursor, HttpUrl, Timestamp } from './common.js';

/**
 * An event type a webhook subscribes to: an exact type (`message.new`), a
 * family (`message.*`) or everything (`*`). Unknown types are refused when
 * the webhook is saved, so a typo does not silently subscribe to nothing.
 */
export const WebhookEventPattern = Type.String({ minLength: 1, maxLength: 64, pattern: '^(\\*|[a-z]+\\.(\\*|[a-z_.]+))$' });

/** A webhook as listed: never its secret. */
export const Webhook = Type.Object({
  id: Type.String(),
  url: Type.String(),
  /** The event types it receives; `['*']` is every type. */
  events: Type.Array(Type.String()),
  description: Type.String(),
  /** Set when deliveries failed for 24 h and the endpoint was disabled; `PATCH { disabled: false }` enables it again. */
  disabledAt: Type.Union([Timestamp, Type.Null()]),
  /** After a rotation, until when the secret before it still signs deliveries beside the new one; null when only one signs. */
  previousSecretExpiresAt: Type.Union([Timestamp, Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

/** A webhook with its signing secret (`whsec_…`), shown when it is created or its secret rotated, never again. */
export const WebhookWithSecret = Type.Intersect([Webhook, Type.Object({ secret: Type.String() })]);

/** `POST /api/app/webhooks` body. */
export const CreateWebhookBody = Type.Object(
  {
    url: HttpUrl,
    events: Type.Optional(Type.Array(WebhookEventPattern, { minItems: 1, maxItems: 64 })),
    description: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);

/** `PATCH /api/app/webhooks/:id` body. */
export const UpdateWebhookBody = Type.Object(
  {
    url: Type.Optional(HttpUrl),
    events: Type.Optional(Type.Array(WebhookEventPattern, { minItems: 1, maxItems: 64 })),
    description: Type.Optional(Type.String({ maxLength: 256 })),
    /** `true` pauses the endpoint (its deliveries wait); `false` enables it again: a paused one sends what waited, one disabled after 24 h of failures sends new events only (replay re-sends the rest). */
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** Path parameters naming a webhook. */
export const WebhookParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** `pending` (waiting or retrying), `delivered`, or `failed` (given up: the endpoint was disabled). */
export const DeliveryStatus = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]);

/** One event's delivery to one webhook. */
export const WebhookDelivery = Type.Object({
  /** The `webhook-id` header: the same on every attempt and replay of the event. */
  id: Type.String(),
  type: Type.String(),
  status: DeliveryStatus,
  attempts: Type.Integer(),
  /** The receiver's HTTP status on the last attempt; null when it did not answer. */
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  /** Why the last attempt failed (a timeout, a refused address, a 5xx); null after a success. */
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastDurationMs: Type.Union([Type.Integer(), Type.Null()]),
  nextAttemptAt: Type.Union([Timestamp, Type.Null()]),
  createdAt: Timestamp,
  deliveredAt: Type.Union([Timestamp, Type.Null()]),
});

/** `GET /api/app/webhooks/:id/deliveries` query. */
export const ListDeliveriesQuery = Type.Object(
  {
    status: Type.Optional(DeliveryStatus),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

/** `POST /api/app/webhooks/:id/replay` body: re-sends every event since `since` to this webhook. */
export const ReplayWebhookBody = Type.Object({ since: Timestamp }, { additionalProperties: false });

export const WebhookResponse = Type.Object({ webhook: Webhook });
export const WebhookWithSecretResponse = Type.Object({ webhook: WebhookWithSecret });
export const WebhooksResponse = Type.Object({ webhooks: Type.Array(Webhook) });
export const DeliveriesPage = Type.Object({ deliveries: Type.Array(WebhookDelivery), next: Type.Union([Cursor, Type.Null()]) });
/**
 * `replayed`: how many events were queued again. `reenabled`: whether the
 * webhook was disabled (or paused) and the replay enabled it, since a replay
 * to an endpoint that is off would deliver nothing.
 */
export const ReplayResponse = Type.Object({ replayed: Type.Integer(), reenabled: Type.Boolean() });

/** `PATCH /api/app` `beforeSendHook`: null removes the hook. */
export const BeforeSendHookSettings = Type.Object(
  {
    url: HttpUrl,
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 3000 })),
    onFailure: Type.Optional(Type.Union([Type.Literal('allow'), Type.Literal('reject')])),
  },
  { additionalProperties: false },
);

/** The hook as the app shows it: never its secret, which the PATCH that set the hook answered once. */
export const BeforeSendHook = Type.Object({
  url: Type.String(),
  timeoutMs: Type.Integer(),
  onFailure: Type.Union([Type.Literal('allow'), Type.Literal('reject')]),
});
