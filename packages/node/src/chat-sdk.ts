import type { CreateTokenBody, CreateTokenResponse, RevokeTokensResponse, UpsertUser, User } from '@chatsdk/protocol';
import { ChannelsApi } from './api/channels.js';
import { UsersApi } from './api/users.js';
import { WebhooksApi } from './api/webhooks.js';
import { ChatSDKError } from './errors.js';
import { type FetchLike, Transport } from './http/transport.js';
import { inBrowserPage } from './runtime.js';

/** How to reach your ChatSDK app. */
export interface ChatSDKOptions {
  /** The server's base URL, e.g. `https://chat.example.com`. */
  apiUrl: string;
  /** The app's secret API key (`X-API-Key`). Keep it on your backend: the SDK refuses to run in a browser. */
  apiKey: string;
  /** Per attempt, from sending to the last byte of the answer. Default 10 000. */
  timeoutMs?: number;
  /** Extra attempts for idempotent calls on network errors and 502/503/504. Default 2; 0 turns retries off. */
  retries?: number;
  /** Replaces the global `fetch` (a proxy agent, instrumentation). */
  fetch?: FetchLike;
}

/**
 * ChatSDK for your backend. Your backend logs its users in; this turns a
 * logged-in user into the `token` and `wsToken` your frontend gives
 * `@chatsdk/core`, and administers users, channels and webhooks with the
 * app's API key.
 */
export class ChatSDK {
  /** Users: tokens, upserts, deletes, token revocation. */
  readonly users: UsersApi;
  /** Channels, their members and messages sent on behalf of users. */
  readonly channels: ChannelsApi;
  /** Webhook endpoints, delivery log, replay. */
  readonly webhooks: WebhooksApi;

  constructor(options: ChatSDKOptions) {
    if (inBrowserPage()) {
      throw new ChatSDKError(
        'api_key_in_browser',
        '@chatsdk/node refuses to run in a browser: anyone could read the API key there. Call it from your backend and hand the browser the token and wsToken of createToken().',
      );
    }
    if (typeof options.apiUrl !== 'string' || !/^https?:\/\//.test(options.apiUrl)) throw new TypeError('ChatSDK needs apiUrl, an http(s) URL');
    if (typeof options.apiKey !== 'string' || options.apiKey === '') throw new TypeError('ChatSDK needs the app\'s apiKey');
    const http = new Transport({
      apiUrl: options.apiUrl,
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs ?? 10_000,
      retries: options.retries ?? 2,
      fetch: options.fetch ?? ((url, init) => globalThis.fetch(url, init)),
    });
    this.users = new UsersApi(http);
    this.channels = new ChannelsApi(http);
    this.webhooks = new WebhooksApi(http);
  }

  /** The guide's call: upserts your user and issues their `token` and `wsToken` (`POST /tokens`). Same as `users.createToken`. */
  createToken(body: CreateTokenBody): Promise<CreateTokenResponse> {
    return this.users.createToken(body);
  }

  /** Creates or updates up to 100 users at once. Same as `users.upsert`. */
  upsertUsers(users: UpsertUser[]): Promise<User[]> {
    return this.users.upsert(users);
  }

  /** Deletes a user (soft by default; `{ hard: true }` erases them). Same as `users.delete`. */
  deleteUser(userId: string, options: { hard?: boolean } = {}): Promise<void> {
    return this.users.delete(userId, options);
  }

  /** Refuses every token of the user issued before now. Same as `users.revokeTokens`. */
  revokeTokens(userId: string): Promise<RevokeTokensResponse> {
    return this.users.revokeTokens(userId);
  }
}
