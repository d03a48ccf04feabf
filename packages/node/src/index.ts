/**
 * @chatsdk/node: ChatSDK for your backend. `ChatSDK` issues your users'
 * tokens and administers users, channels and webhooks with the app's API key;
 * `verifyWebhook` checks a delivery's signature. Node's own `fetch` and
 * `crypto` only; `@chatsdk/protocol` gives the types.
 */
export { ChatSDK } from './chat-sdk.js';
export type { ChatSDKOptions } from './chat-sdk.js';
export { UsersApi } from './api/users.js';
export { ChannelsApi } from './api/channels.js';
export { WebhooksApi } from './api/webhooks.js';
export { ChatSDKError, ChatSDKNetworkError } from './errors.js';
export type { SdkErrorCode } from './errors.js';
export type { FetchLike } from './http/transport.js';
export { verifyWebhook, WebhookVerificationError } from './webhooks/verify.js';
export type { VerifyWebhookOptions, WebhookVerificationReason } from './webhooks/verify.js';
export type { WebhookHeaders } from './webhooks/headers.js';
export type {
  ChannelState,
  CreateTokenBody,
  CreateTokenResponse,
  CreateWebhookBody,
  DeliveriesPage,
  ErrorCode,
  Member,
  Message,
  SendMessageBody,
  UpsertUser,
  User,
  Webhook,
  WebhookBody,
  WebhookDelivery,
  WebhookEventType,
  WebhookWithSecret,
} from '@chatsdk/protocol';
