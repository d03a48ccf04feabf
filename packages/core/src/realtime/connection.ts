import { Centrifuge, UnauthorizedError, type Subscription as CentrifugeSubscription } from 'centrifuge';
import type { TokenManager } from '../auth/tokens.js';
import { ChatError } from '../errors.js';
import { Store } from '../store.js';

/** The socket's state: `connecting` covers every reconnect attempt; `disconnected` means it stopped trying. */
export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'disconnected';

/** Snapshot of the connection store. */
export interface ConnectionState {
  status: ConnectionStatus;
  /** Why it last left `connected` (a transport close, a server disconnect, `disconnect()`), if it did. */
  reason?: string;
}

/** A WebSocket class as the `centrifuge` client constructs it: `new WebSocket(url, protocols?)`. */
export type WebSocketClass = new (url: string, protocols?: string | string[]) => unknown;

/** Where a channel subscription stands after a (re)subscribe. */
export interface SubscribedInfo {
  /** The client asked to recover from a position. */
  wasRecovering: boolean;
  /** Every missed event follows; false after `wasRecovering` means the gap could not be replayed. */
  recovered: boolean;
  /** The stream's position as the server answered it. */
  offset: number | undefined;
  epoch: string | undefined;
}

/** What a channel subscription reports to its owner. */
export interface ChannelListener {
  publication(data: unknown, offset: number | undefined): void;
  subscribed(info: SubscribedInfo): void;
  unsubscribed(code: number, reason: string): void;
}

/** What the connection reports to the client. */
export interface ConnectionHooks {
  /** A publication on the user's personal stream. */
  personal(data: unknown): void;
  /** The socket is (again) connected; `first` only for the first time since `connect()`. */
  connected(first: boolean): void;
  /** The server refused the credentials for good. */
  unauthorized(reason: string, error: ChatError): void;
  /** The server closed the socket because the user is banned from the app: it stays closed. */
  banned(): void;
}

/** Server disconnect codes from 3500 up stop the client; 3500 is a refused token. */
const INVALID_TOKEN = 3500;
/** Server disconnects after which the connection's token is dead: it ran out, or was revoked (Centrifugo's "force reconnect"). */
const TOKEN_EXPIRED = 3005;
const TOKEN_REVOKED = 3011;
/** The user is banned from the app (the socket is closed, and reconnecting cannot help). */
const BANNED = 3505;

/**
 * The realtime socket: the real `centrifuge` client speaking to `/ws`, with
 * its token renewal wired to the shared `TokenManager`. The channel id is the
 * subscription's channel name; the personal stream is subscribed by the
 * server and arrives as client-level publications.
 */
export class RealtimeConnection {
  /** The connection's state, for UIs. */
  readonly state = new Store<ConnectionState>({ status: 'idle' });
  private centrifuge: Centrifuge | undefined;
  private lastWsToken = '';
  private connectedOnce = false;

  constructor(
    private readonly wsUrl: string,
    private readonly websocket: WebSocketClass | undefined,
    private readonly tokens: TokenManager,
    private readonly personalChannel: () => string | undefined,
    private readonly hooks: ConnectionHooks,
  ) {}

  /** True while the socket is connected. */
  get connected(): boolean {
    return this.state.getSnapshot().status === 'connected';
  }

  /** Opens the socket (once); resolves when connected, rejects if the server refuses or `timeoutMs` passes (it keeps trying). */
  connect(timeoutMs: number): Promise<void> {
    const client = this.centrifuge ?? this.create();
    if (this.connected) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => finish(new ChatError('timeout', `not connected within ${timeoutMs} ms; still trying`)), timeoutMs);
      const stop = this.state.subscribe(() => {
        const { status, reason } = this.state.getSnapshot();
        if (status === 'connected') finish();
        else if (status === 'disconnected') finish(new ChatError('not_connected', `the connection stopped: ${reason ?? 'disconnected'}`));
      });
      const finish = (error?: ChatError) => {
        clearTimeout(timer);
        stop();
        if (error) reject(error);
        else resolve();
      };
    });
    client.connect();
    return done;
  }

  /** Closes the socket and forgets every subscription. */
  disconnect(): void {
    const client = this.centrifuge;
    this.centrifuge = undefined;
    this.connectedOnce = false;
    if (!client) return;
    client.removeAllListeners();
    for (const sub of Object.values(client.subscriptions())) {
      sub.removeAllListeners();
      client.removeSubscription(sub);
    }
    client.disconnect();
    this.state.set({ status: 'disconnected', reason: 'disconnect called' });
  }

  /**
   * Subscribes to a channel's stream, recovering from `since` when given (the
   * position the app's REST state is at). Resolves once the subscription is
   * live, at once when the socket is not connecting, or after `waitMs`.
   */
  subscribe(channelId: string, since: { offset: number; epoch: string } | undefined, listener: ChannelListener, waitMs = 10_000): Promise<void> {
    const client = this.centrifuge ?? this.create();
    this.unsubscribe(channelId);
    const sub: CentrifugeSubscription = client.newSubscription(channelId, since ? { since } : {});
    let live: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      live = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    sub.on('publication', (ctx) => listener.publication(ctx.data, ctx.offset));
    sub.on('subscribed', (ctx) => {
      live();
      listener.subscribed({
        wasRecovering: ctx.wasRecovering,
        recovered: ctx.recovered,
        offset: ctx.streamPosition?.offset,
        epoch: ctx.streamPosition?.epoch,
      });
    });
    sub.on('unsubscribed', (ctx) => {
      live();
      listener.unsubscribed(ctx.code, ctx.reason);
    });
    sub.subscribe();
    const { status } = this.state.getSnapshot();
    if (status !== 'connecting' && status !== 'connected') live();
    return ready;
  }

  /** Ends a channel subscription. */
  unsubscribe(channelId: string): void {
    const client = this.centrifuge;
    const sub = client?.getSubscription(channelId);
    if (!client || !sub) return;
    sub.removeAllListeners();
    sub.unsubscribe();
    client.removeSubscription(sub);
  }

  /** Calls an RPC method on the server over the socket. */
  async rpc(method: string, data: unknown): Promise<unknown> {
    const client = this.centrifuge;
    if (!client || !this.connected) throw new ChatError('not_connected', 'the socket is not connected');
    return (await client.rpc(method, data)).data;
  }

  private create(): Centrifuge {
    if (!this.websocket && typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'undefined') {
      throw new ChatError('not_connected', 'no WebSocket in this runtime: pass the WebSocket option (in Node 20, the ws package)');
    }
    const expired = this.tokens.isExpired();
    this.lastWsToken = expired ? '' : this.tokens.wsToken;
    const client = new Centrifuge(this.wsUrl, {
      token: this.lastWsToken,
      getToken: () => this.nextWsToken(),
      ...(this.websocket ? { websocket: this.websocket } : {}),
      minReconnectDelay: 200,
      maxReconnectDelay: 10_000,
    });
    client.on('connecting', (ctx) => {
      this.state.set({ status: 'connecting', reason: ctx.reason });
      // Reconnecting with a token known to be dead (expired, revoked: 3005, 3011) or replaced: ask getToken first.
      // A refused token at connect would otherwise take the resubscribes batched behind it down with it.
      if (ctx.code === TOKEN_EXPIRED || ctx.code === TOKEN_REVOKED || this.tokens.isExpired() || this.tokens.wsToken !== this.lastWsToken) {
        client.setToken('');
      }
    });
    client.on('connected', () => {
      this.state.set({ status: 'connected' });
      const first = !this.connectedOnce;
      this.connectedOnce = true;
      this.hooks.connected(first);
    });
    client.on('disconnected', (ctx) => {
      this.state.set({ status: 'disconnected', reason: ctx.reason });
      // getToken already reported a failed renewal; a token the server refuses for good is reported here.
      if (ctx.code === INVALID_TOKEN) {
        this.hooks.unauthorized('realtime_unauthorized', new ChatError('invalid_token', `the socket's token was refused: ${ctx.reason}`, 401));
      }
      if (ctx.code === BANNED) this.hooks.banned();
    });
    client.on('publication', (ctx) => {
      if (ctx.channel === this.personalChannel()) this.hooks.personal(ctx.data);
    });
    this.centrifuge = client;
    return client;
  }

  /** centrifuge asks for a token after a refusal (109) or when the current one runs out. */
  private async nextWsToken(): Promise<string> {
    const current = this.tokens.wsToken;
    // Renewed meanwhile (by REST, or ahead of expiry): the socket just takes the new one.
    if (current !== this.lastWsToken && !this.tokens.isExpired()) {
      this.lastWsToken = current;
      return current;
    }
    try {
      const pair = await this.tokens.refresh('token_expired', current);
      this.lastWsToken = pair.wsToken;
      return pair.wsToken;
    } catch (error) {
      // Without a provider nothing will change: the socket stops. A provider may fail for a while (the device
      // is offline, the backend restarts): the socket asks again with its backoff; `unauthorized` was reported.
      if (!this.tokens.renewable) throw new UnauthorizedError(error instanceof Error ? error.message : 'token refused');
      throw error;
    }
  }
}
