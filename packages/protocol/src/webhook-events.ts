import type { Static } from 'typebox';
import type { ChannelEvent, ChannelEventType } from './events.js';
import type { ModerationEvent } from './moderation-events.js';
import type * as U from './schemas/users.js';

type User = Static<typeof U.User>;

/** A user was created (by `POST /tokens`, `POST /api/users` or the CLI). */
export interface UserCreatedEvent {
  type: 'user.created';
  user: User;
  createdAt: string;
}

/** A user's name, image, custom data or role changed. */
export interface UserUpdatedEvent {
  type: 'user.updated';
  user: User;
  createdAt: string;
}

/** A user was deleted. */
export interface UserDeletedEvent {
  type: 'user.deleted';
  user: User;
  createdAt: string;
}

/**
 * An endpoint was disabled after 24 h of failed deliveries: recorded in its
 * delivery log (it cannot be delivered to the endpoint that is failing).
 */
export interface WebhookDisabledEvent {
  type: 'webhook.disabled';
  webhookId: string;
  reason: string;
  createdAt: string;
}

/** Events about the app rather than one channel. */
export type AppEvent = UserCreatedEvent | UserUpdatedEvent | UserDeletedEvent;

/** Every type a webhook can receive: the durable channel events and the app's user events. */
export type WebhookEventType = ChannelEventType | AppEvent['type'] | ModerationEvent['type'];

/** The types a webhook may subscribe to, for validation and `message.*` wildcards. */
export const WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = [
  'message.new',
  'message.updated',
  'message.deleted',
  'reaction.new',
  'reaction.deleted',
  'member.added',
  'member.removed',
  'member.updated',
  'channel.updated',
  'channel.deleted',
  'channel.truncated',
  'message.read',
  'user.created',
  'user.updated',
  'user.deleted',
  'user.banned',
  'user.unbanned',
  'moderation.flagged',
];

/**
 * The JSON body of a delivery (Standard Webhooks): `data` is the event as the
 * realtime side carries it (a channel event with its `channelId` and
 * `offset`), or the app event.
 */
export interface WebhookBody {
  type: WebhookEventType | WebhookDisabledEvent['type'];
  /** When the event happened, ISO-8601. */
  timestamp: string;
  data: ChannelEvent | AppEvent | ModerationEvent | WebhookDisabledEvent;
}
