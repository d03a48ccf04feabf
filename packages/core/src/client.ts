import { type ModerationFlaggedEvent, personalChannel, type RealtimeChannelEvent, type SearchResponse, type UnreadResponse, type UserEvent } from '@chatsdk/protocol';
import { MentionsApi } from './api/mentions.js';
import { ModerationApi } from './api/moderation.js';
import { UploadsApi } from './api/uploads.js';
import { ChannelsApi } from './api/channels.js';
import { UsersApi } from './api/users.js';
import { TokenManager, type TokenPair, type TokenProvider, type UnauthorizedContext } from './auth/tokens.js';
import { ChatChannel } from './channel/channel.js';
import { Emitter, type Subscription } from './emitter.js';
import { ChatError } from './errors.js';
import { type FetchLike, RequestManager } from './http/requests.js';
import { indexedDbStorage } from './offline/indexeddb.js';
import { sendOperation } from './offline/operations.js';
import { Outbox } from './offline/outbox.js';
import { type OutboxEntry, type OutboxStorage, sharedMemoryStorage } from './offline/storage.js';
import { type ConnectionState, RealtimeConnection, type WebSocketClass } from './realtime/connection.js';
import { UnreadStore } from './state/unread.js';
import type { ReadableStore } from './store.js';
import { FileSender } from './uploads/file-sender.js';
import { releasePreviews } from './uploads/files.js';
import { inBrowserPage } from './util.js';

/** How to reach ChatSDK and as whom. */
export interface ChatClientOptions {
  /** The server's base URL, such as `https://chat.example.com` (a trailing `/api` is accepted). */
  apiUrl: string;
  /** The WebSocket URL; defaults to the API's host with `ws(s)://…/ws`. */
  wsUrl?: string;
  /** The REST token from `POST /tokens`. */
  token: string;
  /** The WebSocket token from `POST /tokens`. */
  wsToken: string;
  /** Renews both tokens before they expire and after a 401; without it a refused token ends the session (`unauthorized`). */
  tokenProvider?: TokenProvider;
  /** A WebSocket class (Node: `ws`, constructed with `allowSynchronousEvents: false`); defaults to the global one (browsers, React Native). */
  WebSocket?: WebSocketClass;
  /** A `fetch`; defaults to the global one. */
  fetch?: FetchLike;
  /** Where the outbox persists writes; defaults to IndexedDB in browsers, memory elsewhere (React Native: `keyValueStorage(AsyncStorage)`). */
  storage?: OutboxStorage;
  /** How long `connect()` waits for the socket before rejecting (it keeps trying). Default 15 s. */
  connectTimeoutMs?: number;
  /** How long a REST call may take. Default 20 s. */
  requestTimeoutMs?: number;
  /** Attempts of a write the server keeps failing (5xx) before it is marked failed. Default 3. */
  maxWriteAttempts?: number;
  /** Refused in browsers (the API key belongs on your backend); elsewhere unused, since the client acts as the token's user. */
  apiKey?: never;
}

/** The client's events, each with one context object. */
export interface ChatClientEvents {
  /** The tokens were refused and could not be renewed: get new ones (`setTokens`) or log the user out. */
  unauthorized: UnauthorizedContext;
  /** Every event of a watched channel, after the stores took it. */
  'channel.event': { channel: ChatChannel; event: RealtimeChannelEvent };
  /** Every event of the user's personal stream, after the stores took it. */
  'user.event': UserEvent;
  /** A message or user was reported (or caught by a blocklist in `flag` mode): app moderators and admins only; `moderation.queue` took it. */
  'moderation.flagged': ModerationFlaggedEvent;
  /** Background work failed (a reload after a reconnect, say); nothing was awaiting it. */
  error: { error: unknown };
}

function baseUrl(apiUrl: string): string {
  return apiUrl.replace(/\/+$/, '').replace(/\/api$/, '');
}

/**
 * The ChatSDK client: `new ChatClient({ apiUrl, wsUrl, token, wsToken })`,
 * `await client.connect()`. A thin facade over the pieces: tokens, requests,
 * the realtime connection, the outbox, and the stores.
 */
export class ChatClient {
  /** The socket's state, as a store. */
  readonly connection: ReadableStore<ConnectionState>;
  /** Channels: query, create, get, direct messages, and the channel list store. */
  readonly channels: ChannelsApi;
  /** Users, blocks and the presence store. */
  readonly users: UsersApi;
  /** Messages mentioning the user. */
  readonly mentions: MentionsApi;
  /** File uploads: `upload(file, { channelId, onProgress, signal })`, `delete(id)`. */
  readonly uploads: UploadsApi;
  /** Unread totals, as a store with `refresh()`. */
  readonly unread: UnreadStore;
  /** Bans, the review queue, blocklists, bulk deletes and the audit log (moderators). */
  readonly moderation: ModerationApi;
  /** Writes waiting for the server, oldest first, as a store. */
  readonly pendingWrites: ReadableStore<readonly OutboxEntry[]>;
  private readonly events = new Emitter<ChatClientEvents>();
  private readonly tokens: TokenManager;
  private readonly requests: RequestManager;
  private readonly realtime: RealtimeConnection;
  private readonly outbox: Outbox;
  private readonly files: FileSender;
  private readonly open = new Map<string, ChatChannel>();
  private readonly apiUrl: string;
  private user: string | undefined;
  private reportedFor: string | undefined;
  private stopBanWatch: (() => void) | undefined;

  constructor(private readonly options: ChatClientOptions) {
    if ((options as { apiKey?: unknown }).apiKey !== undefined && inBrowserPage()) {
      throw new ChatError('api_key_in_browser', 'ChatClient refuses an apiKey in a browser: anyone could read it there. Your backend keeps the API key and gives the browser a token and wsToken from POST /tokens.');
    }
    const fetchFn = options.fetch ?? ((input: string, init: RequestInit) => globalThis.fetch(input, init));
    this.apiUrl = baseUrl(options.apiUrl);
    const wsUrl = options.wsUrl ?? `${this.apiUrl.replace(/^http/, 'ws')}/ws`;
    this.tokens = new TokenManager({ token: options.token, wsToken: options.wsToken }, options.tokenProvider, (ctx) => this.reportUnauthorized(ctx));
    this.user = this.tokens.userId;
    const me = () => this.user;
    this.requests = new RequestManager(this.apiUrl, fetchFn, this.tokens, (reason, error) => this.reportUnauthorized({ reason, error }), options.requestTimeoutMs);
    this.realtime = new RealtimeConnection(wsUrl, options.WebSocket, this.tokens, () => (this.user ? personalChannel(this.user) : undefined), {
      personal: (data) => this.onUserEvent(data as UserEvent),
      connected: (first) => this.onConnected(first),
      unauthorized: (reason, error) => this.reportUnauthorized({ reason, error }),
      banned: () => this.onBanned(),
    });
    const storage = options.storage ?? (typeof globalThis.indexedDB === 'object' && globalThis.indexedDB !== null ? indexedDbStorage() : sharedMemoryStorage());
    this.outbox = new Outbox(
      storage,
      () => `${this.apiUrl}|${this.user ?? ''}`,
      (op, entry) => (op.kind === 'send' && op.files?.length ? this.files.send(op, entry.id) : sendOperation(this.requests, op)),
      {
        done: (entry, result) => {
          this.open.get(entry.op.channelId)?.writeDone(entry.op, result);
          if (entry.op.kind === 'send') releasePreviews(entry.op.files);
        },
        // Made if need be: a send of an earlier session that fails must show when its channel opens.
        failed: (entry, error) => this.channel(entry.op.channelId).writeFailed(entry.op, error, entry.createdAt),
      },
      options.maxWriteAttempts,
    );
    this.uploads = new UploadsApi(this.requests);
    this.files = new FileSender(this.uploads, this.outbox, this.requests, (op, fileId, change) => this.channel(op.channelId).fileChanged(op, fileId, change));
    this.connection = this.realtime.state;
    this.pendingWrites = this.outbox.entries;
    this.channels = new ChannelsApi(this.requests, (id) => this.channel(id), me);
    this.users = new UsersApi(this.requests);
    this.mentions = new MentionsApi(this.requests);
    this.moderation = new ModerationApi(this.requests);
    this.unread = new UnreadStore(me, () => this.requests.request<UnreadResponse>('/api/users/me/unread'));
  }

  /** The id of the user the tokens are for (known from the token, or after `connect()`). */
  get userId(): string | undefined {
    return this.user;
  }

  /** Listens to a client event; `remove()` the answer to stop. */
  on<K extends keyof ChatClientEvents>(event: K, listener: (ctx: ChatClientEvents[K]) => void): Subscription {
    return this.events.on(event, listener);
  }

  /** Messages holding every word of `q` in the user's channels (or `channelIds`), newest first; pass `next` back as `cursor`. */
  search(q: string, options: { channelIds?: string[]; limit?: number; cursor?: string } = {}): Promise<SearchResponse> {
    const { channelIds, ...rest } = options;
    return this.requests.request<SearchResponse>('/api/search', { query: { q, channelId: channelIds?.join(','), ...rest } });
  }

  /** The channel `id` (one object per id); `watch()` it to load it and keep it live. */
  channel(id: string): ChatChannel {
    let channel = this.open.get(id);
    if (!channel) {
      channel = new ChatChannel(id, {
        requests: this.requests,
        connection: this.realtime,
        outbox: this.outbox,
        uploads: this.uploads,
        files: this.files,
        me: () => this.user,
        applied: (from, event) => this.onChannelEvent(from, event),
        membershipChanged: (from) => this.onMembershipChanged(from),
        reportError: (error) => this.events.emit('error', { error }),
        presence: this.users.presence,
        loadPresence: (ids) => this.users.loadPresence(ids.slice(0, 100)),
        current: this.users.current,
      });
      this.open.set(id, channel);
    }
    return channel;
  }

  /** Connects the socket, starts renewing tokens and flushes writes left from before. Resolves once connected. */
  async connect(): Promise<void> {
    this.user ??= (await this.users.me()).id;
    this.tokens.startSchedule();
    void this.outbox.start().catch((error: unknown) => this.events.emit('error', { error }));
    await this.realtime.connect(this.options.connectTimeoutMs ?? 15_000);
  }

  /**
   * Closes the socket and stops the outbox; queued writes stay persisted for
   * the next session of this user. `clearCache: true` also drops them and
   * every store's data (a logout).
   */
  async disconnect(options: { clearCache?: boolean } = {}): Promise<void> {
    this.stopBanWatch?.();
    this.realtime.disconnect();
    this.tokens.stopSchedule();
    this.outbox.stop();
    for (const channel of this.open.values()) channel.unwatch();
    if (options.clearCache) {
      await this.outbox.clear();
      this.open.clear();
      this.channels.list.reset();
      this.unread.reset();
      this.users.presence.set({});
      this.users.current.set(null);
      this.moderation.queue.reset();
    }
  }

  /** New tokens from elsewhere (after `unauthorized`, say): used from the next call, and by the socket at its next connect. */
  setTokens(pair: TokenPair): void {
    this.tokens.set(pair);
    this.outbox.nudge();
  }

  /** `unauthorized` once per pair of tokens: 20 refused calls, or a provider failing again and again, are one event. */
  private reportUnauthorized(ctx: UnauthorizedContext): void {
    if (this.reportedFor === this.tokens.token) return;
    this.reportedFor = this.tokens.token;
    this.events.emit('unauthorized', ctx);
  }

  private background(work: Promise<unknown> | undefined): void {
    work?.catch((error: unknown) => this.events.emit('error', { error }));
  }

  private onConnected(first: boolean): void {
    this.outbox.nudge();
    // The user is online while this socket is: the server tells only others (user.online goes to them).
    if (this.user) this.users.presence.load([{ userId: this.user, online: true, lastActiveAt: new Date().toISOString() }]);
    this.background(this.unread.refresh());
    if (first) return;
    // The personal stream is not replayed: what it would have said is read again.
    this.background(this.channels.list.reload());
    if (this.moderation.queue.getSnapshot().ready) this.background(this.moderation.queue.reload());
    const known = Object.keys(this.users.presence.getSnapshot());
    if (known.length > 0) this.background(this.users.loadPresence(known.slice(0, 100)));
  }

  /**
   * Banned from the app: the socket stays closed, and the channels read again show the ban to their
   * composers. When a timed ban ends (a channel's send state leaves `banned` by itself), it connects again.
   */
  private onBanned(): void {
    const loaded = [...this.open.values()].filter((channel) => channel.state.getSnapshot());
    for (const channel of loaded) this.background(channel.get());
    this.stopBanWatch?.();
    const stops = loaded.map((channel) =>
      channel.moderation.sendState.subscribe(() => {
        const state = channel.moderation.sendState.getSnapshot();
        if (state.status === 'banned' || channel.state.getSnapshot()?.membership?.ban === undefined) return;
        this.stopBanWatch?.();
        this.background(this.realtime.connect(this.options.connectTimeoutMs ?? 15_000));
      }),
    );
    this.stopBanWatch = () => {
      this.stopBanWatch = undefined;
      for (const stop of stops) stop();
    };
  }

  private onChannelEvent(channel: ChatChannel, event: RealtimeChannelEvent): void {
    this.channels.list.applyChannelEvent(event, channel.state.getSnapshot());
    if (event.type === 'message.new') this.unread.messageNew(event.message);
    else if (event.type === 'channel.deleted') this.unread.drop(channel.id);
    else if (event.type === 'message.read' && event.read.userId === this.user) this.onMembershipChanged(channel);
    this.events.emit('channel.event', { channel, event });
  }

  /** The user's own read position or unread counts in a channel changed. */
  private onMembershipChanged(channel: ChatChannel): void {
    const state = channel.state.getSnapshot();
    if (!state?.membership) return;
    this.channels.list.refresh(state);
    this.unread.setChannel(channel.id, { unreadCount: state.membership.unreadCount, unreadMentions: state.membership.unreadMentions });
  }

  private onUserEvent(event: UserEvent): void {
    this.channels.list.applyUserEvent(event);
    this.users.presence.apply(event);
    switch (event.type) {
      case 'notification.message_new':
      case 'notification.mark_read':
        this.unread.setChannel(event.channelId, { unreadCount: event.unreadCount, unreadMentions: event.unreadMentions }, event);
        break;
      case 'notification.removed_from_channel':
      case 'notification.channel_deleted':
        this.unread.drop(event.channelId);
        break;
      case 'moderation.flagged':
        this.moderation.queue.put(event.flag);
        break;
      default:
        break;
    }
    this.events.emit('user.event', event);
    if (event.type === 'moderation.flagged') this.events.emit('moderation.flagged', event);
  }
}
