import { randomUUID } from 'node:crypto';
import { type ChannelEvent, personalChannel } from '@chatsdk/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { findUserWithApp, type UserCaller } from '../domain/auth/caller.js';
import { accessChannel, canRead } from '../domain/channels/channel-access.js';
import { recordTyping } from '../domain/channels/typing.js';
import { ApiError } from '../errors.js';
import type { PersonalReceiver } from './personal.js';
import {
  type Command,
  DISCONNECTS,
  type ChannelRequest,
  type HistoryRequest,
  REPLY_ERRORS,
  type ReplyError,
  type RpcRequest,
  type SubscribeRequest,
  UNSUBSCRIBES,
} from './protocol.js';
import { history, recover } from './recovery.js';
import { type GatewayServices, PING_SECONDS } from './services.js';
import { ChannelSubscription } from './subscription.js';
import { MAX_BUFFERED_BYTES, WriteQueue } from './write-queue.js';

/** How long a disconnected client has to take the disconnect push and close frame before the socket is cut. */
const CLOSE_GRACE_MS = 1000;

type Disconnect = (typeof DISCONNECTS)[keyof typeof DISCONNECTS];

/** A command refused with a protocol error, answered to its id. */
class ReplyFailure extends Error {
  constructor(readonly error: ReplyError) {
    super(error.message);
  }
}

/**
 * One client socket. Commands of a frame (and of successive frames) are
 * handled strictly in order; until `connect` succeeds nothing else is, and a
 * failed connect ends the connection.
 */
export class ClientConnection implements PersonalReceiver {
  readonly id = randomUUID();
  private caller: UserCaller | undefined;
  private expiresAt = 0;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly subscriptions = new Map<string, ChannelSubscription>();
  private readonly queue: WriteQueue;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** A connect was answered with an error the client fixes by asking for a new token. */
  private connectRefused = false;
  /** Personal frames that arrive before the connect reply went out wait for it. */
  private early: string[] | undefined = [];
  /** Last time the client said anything: a client that stops answering pings is dead. */
  lastSeen = Date.now();

  private readonly log: FastifyBaseLogger;

  constructor(
    private readonly socket: WebSocket,
    private readonly services: GatewayServices,
    /** The Origin of the WebSocket handshake, checked against the app's allowed origins at connect. */
    private readonly origin: string | undefined,
    private readonly onClose: (connection: ClientConnection) => void,
  ) {
    this.log = services.log;
    this.queue = new WriteQueue(socket, () => this.disconnect(DISCONNECTS.slow));
    socket.on('message', (data, isBinary) => {
      this.lastSeen = Date.now();
      if (isBinary) return this.disconnect(DISCONNECTS.badRequest);
      const text = data.toString();
      this.chain = this.chain.then(() => this.handleFrame(text)).catch((error: unknown) => {
        this.log.error({ err: error }, 'realtime frame failed');
        this.disconnect(DISCONNECTS.badRequest);
      });
    });
    socket.on('close', () => this.background(this.cleanUp()));
    socket.on('error', () => this.background(this.cleanUp()));
  }

  /** Whether this connection acts as the user. */
  isUser(appId: string, userId: string): boolean {
    return this.caller?.app.id === appId && this.caller.user.id === userId;
  }

  /** Whether the connection is subscribed to the channel. */
  isWatching(channelId: string): boolean {
    return this.subscriptions.has(channelId);
  }

  /** Queues a frame of the personal stream; before the connect reply it waits for it. */
  sendPersonal(frame: string): void {
    if (this.closed) return;
    if (this.early) this.early.push(frame);
    else this.queue.push(frame);
  }

  /** Sends the server's ping: an empty command. */
  ping(): void {
    if (this.caller) this.queue.push('{}');
  }

  /** Ends the connection with a protocol disconnect push and the same close code. */
  disconnect(reason: Disconnect): void {
    if (this.closed) return;
    this.queue.discard();
    this.socket.send(JSON.stringify({ push: { disconnect: reason } }), () => this.socket.close(reason.code, reason.reason));
    // The push and the close frame queue behind whatever the socket still holds: a client that does not
    // read would keep the socket (and its buffers) forever, and a shutdown waiting for it.
    setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS).unref();
    this.background(this.cleanUp());
  }

  /** Work nobody awaits must not fail silently nor take the process down with an unhandled rejection. */
  private background(work: Promise<void>): void {
    work.catch((error: unknown) => this.log.error({ err: error }, 'realtime background work failed'));
  }

  private async handleFrame(text: string): Promise<void> {
    for (const line of text.split('\n')) {
      if (this.closed) return;
      if (line.trim() === '') continue;
      let command: Command;
      try {
        command = JSON.parse(line) as Command;
      } catch {
        return this.disconnect(DISCONNECTS.badRequest);
      }
      if (typeof command !== 'object' || command === null) return this.disconnect(DISCONNECTS.badRequest);
      // A frame of commands can ask for far more than the client reads (60 pages of history, say):
      // past the limit the connection ends instead of the server building every answer in memory.
      if (this.queue.backlog > MAX_BUFFERED_BYTES) return this.disconnect(DISCONNECTS.slow);
      await this.handleCommand(command);
    }
  }

  private reply(id: number, method: string, result: unknown): void {
    this.queue.push(`{"id":${id},${JSON.stringify(method)}:${JSON.stringify(result)}}`);
  }

  private replyError(id: number, error: ReplyError): void {
    this.queue.push(JSON.stringify({ id, error }));
  }

  private async handleCommand(command: Command): Promise<void> {
    const id = command.id;
    if (id === undefined) return; // a pong
    try {
      if (command.connect !== undefined) return await this.connect(id, command.connect.token);
      if (!this.caller) {
        // After a connect refused for its token, the client's batched commands (its resubscribes) are
        // dropped unanswered: it is about to reconnect with a fresh token, and ending the connection
        // here would stop it for good. Without any connect attempt, a command is a protocol violation.
        if (this.connectRefused) return;
        return this.disconnect(DISCONNECTS.badRequest);
      }
      if (command.subscribe !== undefined) return await this.subscribe(id, command.subscribe);
      if (command.unsubscribe !== undefined) return await this.unsubscribe(id, command.unsubscribe.channel);
      if (command.refresh !== undefined) return await this.refresh(id, command.refresh.token);
      if (command.rpc !== undefined) return await this.rpc(id, command.rpc);
      if (command.history !== undefined) return await this.history(id, command.history);
      if (command.presence !== undefined) return await this.presence(id, command.presence, 'presence');
      if (command.presence_stats !== undefined) return await this.presence(id, command.presence_stats, 'presence_stats');
      // Clients write through REST, which persists before anything is published.
      if (command.publish !== undefined) return this.replyError(id, REPLY_ERRORS.permissionDenied);
      this.replyError(id, REPLY_ERRORS.notAvailable);
    } catch (error) {
      if (error instanceof ReplyFailure) return this.replyError(id, error.error);
      this.log.error({ err: error }, 'realtime command failed');
      this.replyError(id, REPLY_ERRORS.internal);
    }
  }

  /** Verifies a wsToken and answers the connect result, or ends the connection in a way the client understands. */
  private async authenticate(token: string | undefined): Promise<{ caller: UserCaller; expiresAt: number } | Disconnect | ReplyError> {
    if (typeof token !== 'string' || token === '') return DISCONNECTS.invalidToken;
    try {
      const verified = await this.services.ctx.tokens.verify(token, 'ws');
      const found = await findUserWithApp(this.services.ctx.store, verified.appId, verified.userId);
      if (!found || found.user.deletedAt !== null) return DISCONNECTS.invalidToken;
      // A revoked token is answered like an expired one: the client asks its backend for a new token,
      // which the backend gives or refuses; it does not loop on the old one.
      if (found.user.tokensValidAfter !== null && verified.issuedAt < found.user.tokensValidAfter) return REPLY_ERRORS.tokenExpired;
      return { caller: { kind: 'user', app: found.app, user: found.user }, expiresAt: verified.expiresAt };
    } catch (error) {
      // An expired token is the one failure a fresh token fixes: the client asks its getToken and reconnects.
      if (error instanceof ApiError && error.code === 'token_expired') return REPLY_ERRORS.tokenExpired;
      if (error instanceof ApiError) return DISCONNECTS.invalidToken;
      throw error;
    }
  }

  private async connect(id: number, token: string | undefined): Promise<void> {
    if (this.caller) return this.replyError(id, REPLY_ERRORS.badRequest);
    const outcome = await this.authenticate(token);
    if ('reason' in outcome) return this.disconnect(outcome);
    if ('message' in outcome) {
      // The client closes and reconnects with a fresh token; a socket left unauthenticated is closed anyway.
      this.connectRefused = true;
      this.replyError(id, outcome);
      setTimeout(() => this.socket.close(), 5000).unref();
      return;
    }
    const allowed = outcome.caller.app.allowedOrigins;
    if (this.origin !== undefined && allowed.length > 0 && !allowed.includes('*') && !allowed.includes(this.origin)) {
      return this.disconnect(DISCONNECTS.forceNoReconnect);
    }
    this.caller = outcome.caller;
    this.setExpiry(outcome.expiresAt);
    // The personal stream is live before the reply: whatever happens after the client hears "connected" reaches it.
    await this.services.personal.attach(this, outcome.caller);
    if (this.closed) return;
    this.reply(id, 'connect', {
      client: this.id,
      version: this.services.ctx.version,
      ping: PING_SECONDS,
      pong: true,
      expires: true,
      ttl: this.ttl(),
      // Not recoverable: personal events are live only; after a reconnect the client reloads its channel list.
      subs: { [personalChannel(outcome.caller.user.id)]: { recoverable: false } },
    });
    for (const frame of this.early ?? []) this.queue.push(frame);
    this.early = undefined;
  }

  private async refresh(id: number, token: string | undefined): Promise<void> {
    const outcome = await this.authenticate(token);
    if ('reason' in outcome) return this.disconnect(outcome);
    if ('message' in outcome) return this.replyError(id, outcome);
    if (outcome.caller.user.id !== this.caller?.user.id || outcome.caller.app.id !== this.caller.app.id) {
      return this.disconnect(DISCONNECTS.invalidToken);
    }
    this.caller = outcome.caller;
    this.setExpiry(outcome.expiresAt);
    this.reply(id, 'refresh', { client: this.id, version: this.services.ctx.version, expires: true, ttl: this.ttl() });
  }

  private ttl(): number {
    return Math.max(1, Math.floor((this.expiresAt - Date.now()) / 1000));
  }

  /** When the token runs out without a refresh, the connection ends; the client reconnects with a new token. */
  private setExpiry(expiresAt: number): void {
    this.expiresAt = expiresAt;
    clearTimeout(this.expiryTimer);
    this.expiryTimer = setTimeout(() => this.disconnect(DISCONNECTS.expired), Math.max(0, expiresAt - Date.now()) + 1000);
    this.expiryTimer.unref();
  }

  private async subscribe(id: number, request: SubscribeRequest): Promise<void> {
    const caller = this.caller;
    const channelId = request.channel;
    if (!caller) return;
    if (typeof channelId !== 'string' || channelId === '') throw new ReplyFailure(REPLY_ERRORS.badRequest);
    if (this.subscriptions.has(channelId)) throw new ReplyFailure(REPLY_ERRORS.alreadySubscribed);
    if (this.subscriptions.size >= this.services.maxSubscriptions) throw new ReplyFailure(REPLY_ERRORS.limitExceeded);
    await this.requireReadable(caller, channelId);
    const subscription = new ChannelSubscription(channelId, (frame) => this.queue.push(frame), (event) => this.onChannelEvent(channelId, event));
    this.subscriptions.set(channelId, subscription);
    // Listen first, then read the position: nothing committed in between is missed.
    await this.services.hub.join(caller.app.id, channelId, subscription.listener);
    const position = await recover(this.services.ctx.store, caller.app.id, channelId, request, this.services.recoveryLimit);
    if (!position || this.closed) {
      await this.dropSubscription(channelId);
      if (!position) throw new ReplyFailure(REPLY_ERRORS.permissionDenied);
      return;
    }
    this.reply(id, 'subscribe', {
      recoverable: true,
      epoch: position.epoch,
      offset: position.offset,
      ...(request.recover ? { recovered: position.recovered, was_recovering: true, publications: position.publications } : {}),
    });
    subscription.start(position.offset);
    this.services.presence.watch(caller.app.id, channelId, this.id, caller.user.id);
  }

  /** The protocol's `presence` and `presence_stats`: the clients watching a channel, on every process. */
  private async presence(id: number, request: ChannelRequest, method: 'presence' | 'presence_stats'): Promise<void> {
    const caller = this.caller;
    const channelId = request.channel;
    if (!caller) return;
    if (typeof channelId !== 'string' || channelId === '') throw new ReplyFailure(REPLY_ERRORS.badRequest);
    await this.requireReadable(caller, channelId);
    const watchers = await this.services.presence.watchersOf(caller.app.id, channelId);
    if (method === 'presence_stats') {
      return this.reply(id, method, { num_clients: watchers.length, num_users: new Set(watchers.map((w) => w.user)).size });
    }
    this.reply(id, method, { presence: Object.fromEntries(watchers.map((w) => [w.client, w])) });
  }

  /** The protocol's `history`, for readers of the channel, from the stored stream. */
  private async history(id: number, request: HistoryRequest): Promise<void> {
    const caller = this.caller;
    const channelId = request.channel;
    if (!caller) return;
    const whole = (value: unknown) => value === undefined || (Number.isSafeInteger(value) && (value as number) >= 0);
    if (typeof channelId !== 'string' || channelId === '' || !whole(request.limit) || !whole(request.since?.offset)) {
      throw new ReplyFailure(REPLY_ERRORS.badRequest);
    }
    await this.requireReadable(caller, channelId);
    const result = await history(this.services.ctx.store, caller.app.id, channelId, request);
    if (result === undefined) throw new ReplyFailure(REPLY_ERRORS.permissionDenied);
    if (result === 'stale') throw new ReplyFailure(REPLY_ERRORS.unrecoverablePosition);
    this.reply(id, 'history', { publications: result.publications, epoch: result.epoch, offset: result.offset });
  }

  /** A channel the caller may not read and one that does not exist look alike, as over REST. */
  private async requireReadable(caller: UserCaller, channelId: string): Promise<void> {
    try {
      const access = await accessChannel(this.services.ctx.store.db, caller, channelId);
      if (!canRead(access)) throw new ReplyFailure(REPLY_ERRORS.permissionDenied);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'channel_not_found') throw new ReplyFailure(REPLY_ERRORS.permissionDenied);
      throw error;
    }
  }

  /** `{"rpc":{"method":"typing","data":{"channel","typing","parentId?"}}}`: typing without a REST round trip. */
  private async rpc(id: number, request: RpcRequest): Promise<void> {
    const caller = this.caller;
    if (!caller) return;
    if (request.method !== 'typing') throw new ReplyFailure(REPLY_ERRORS.methodNotFound);
    const data = request.data;
    if (!data || typeof data.channel !== 'string' || typeof data.typing !== 'boolean' || (data.parentId !== undefined && typeof data.parentId !== 'string')) {
      throw new ReplyFailure(REPLY_ERRORS.badRequest);
    }
    try {
      await recordTyping(this.services.ctx, caller, data.channel, { typing: data.typing, ...(data.parentId ? { parentId: data.parentId } : {}) });
    } catch (error) {
      if (error instanceof ApiError) throw new ReplyFailure(REPLY_ERRORS.permissionDenied);
      throw error;
    }
    this.reply(id, 'rpc', { data: {} });
  }

  private async unsubscribe(id: number, channelId: string | undefined): Promise<void> {
    if (typeof channelId === 'string') await this.dropSubscription(channelId);
    this.reply(id, 'unsubscribe', {});
  }

  /** Membership is checked at subscribe time and again when it changes: a removed member stops receiving at once. */
  private onChannelEvent(channelId: string, event: ChannelEvent): void {
    const userId = this.caller?.user.id;
    if (event.type === 'channel.deleted') return this.background(this.serverUnsubscribe(channelId, UNSUBSCRIBES.channelDeleted));
    if (event.type === 'member.removed' && event.userId === userId) {
      // A reader of a public channel may keep reading after leaving it; a members-only channel is closed to them.
      this.background(this.recheck(channelId));
    }
  }

  private async recheck(channelId: string): Promise<void> {
    const caller = this.caller;
    if (!caller) return;
    try {
      const access = await accessChannel(this.services.ctx.store.db, caller, channelId);
      if (canRead(access)) return;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
    await this.serverUnsubscribe(channelId, UNSUBSCRIBES.removed);
  }

  private async serverUnsubscribe(channelId: string, reason: (typeof UNSUBSCRIBES)[keyof typeof UNSUBSCRIBES]): Promise<void> {
    if (!this.subscriptions.has(channelId)) return;
    await this.dropSubscription(channelId);
    this.queue.push(JSON.stringify({ push: { channel: channelId, unsubscribe: reason } }));
  }

  private async dropSubscription(channelId: string): Promise<void> {
    const subscription = this.subscriptions.get(channelId);
    const caller = this.caller;
    if (!subscription || !caller) return;
    this.subscriptions.delete(channelId);
    this.services.presence.unwatch(caller.app.id, channelId, this.id);
    await this.services.hub.leave(caller.app.id, channelId, subscription.listener);
  }

  private async cleanUp(): Promise<void> {
    if (this.closed && this.subscriptions.size === 0) return;
    this.closed = true;
    clearTimeout(this.expiryTimer);
    this.early = undefined;
    if (this.caller) this.services.personal.detach(this, this.caller);
    for (const channelId of [...this.subscriptions.keys()]) await this.dropSubscription(channelId);
    this.onClose(this);
  }
}
