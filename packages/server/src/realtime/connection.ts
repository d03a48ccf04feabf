import { randomUUID } from 'node:crypto';
import { type ChannelEvent, personalChannel } from '@chatsdk/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { UserCaller } from '../domain/auth/caller.js';
import { accessChannel, canRead } from '../domain/channels/channel-access.js';
import { recordTyping } from '../domain/channels/typing.js';
import { ApiError } from '../errors.js';
import { authenticate } from './authenticate.js';
import type { Command } from './commands.js';
import type { Framing, Publication } from './framing.js';
import type { PersonalReceiver } from './personal-records.js';
import {
  type ChannelRequest,
  type Disconnect,
  DISCONNECTS,
  type HistoryRequest,
  REPLY_ERRORS,
  type ReplyError,
  type SubscribeRequest,
  type TypingRequest,
  UNSUBSCRIBES,
} from './protocol.js';
import { history, recover } from './recovery.js';
import { requireReadable, ReplyFailure } from './reply-failure.js';
import { type GatewayServices, PING_SECONDS } from './services.js';
import { ChannelSubscription } from './subscription.js';
import { CLOSE_LINGER_MS, type Transport } from './transport.js';
import { type Frame, MAX_BUFFERED_BYTES, WriteQueue } from './write-queue.js';



/**
 * One client session, whatever carries it (see `Transport`). Commands of a
 * message (and of successive messages) are handled strictly in order; until
 * `connect` succeeds nothing else is, a failed connect ends the connection,
 * and so does no connect in time. Commands are read by the framing and
 * checked by commands.ts: what cannot be read ends the connection (3501), a
 * readable command of the wrong shape is answered 107.
 */
export class ClientConnection implements PersonalReceiver {
  readonly id = randomUUID();
  private caller: UserCaller | undefined;
  private expiresAt = 0;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly connectTimer: NodeJS.Timeout;
  private readonly subscriptions = new Map<string, ChannelSubscription>();
  private readonly queue: WriteQueue;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** A connect was answered with an error the client fixes by asking for a new token. */
  private connectRefused = false;
  /** Personal frames that arrive before the connect reply went out wait for it. */
  private early: Frame[] | undefined = [];
  /** This session counts toward its user's connection limit. */
  private holdsSession = false;
  /** Last time the client said anything: a client that stops answering pings is dead. */
  lastSeen = Date.now();

  private readonly log: FastifyBaseLogger;

  private readonly framing: Framing;

  constructor(
    private readonly transport: Transport,
    private readonly services: GatewayServices,
    /** The Origin of the handshake, checked against the app's allowed origins at connect. */
    private readonly origin: string | undefined,
    private readonly onClose: (connection: ClientConnection) => void,
  ) {
    this.log = services.log;
    this.framing = transport.framing;
    this.queue = new WriteQueue(transport.outlet, () => this.disconnect(DISCONNECTS.slow));
    // A socket that never connects holds a descriptor and memory for nothing, and its pongs would keep it
    // past the ping check: it is closed. After a refused connect the client leaves by itself (see connect).
    this.connectTimer = setTimeout(() => {
      if (!this.caller && !this.connectRefused) this.disconnect(DISCONNECTS.stale);
    }, services.connectTimeoutMs);
    this.connectTimer.unref();
  }

  /** The user the session acts for, once connected. */
  get user(): { appId: string; userId: string } | undefined {
    return this.caller ? { appId: this.caller.app.id, userId: this.caller.user.id } : undefined;
  }

  /** One message of commands from the client, served after those before it. */
  receive(data: Buffer | string): void {
    this.lastSeen = Date.now();
    this.chain = this.chain.then(() => this.handleMessage(data)).catch((error: unknown) => {
      this.log.error({ err: error }, 'realtime message failed');
      this.disconnect(DISCONNECTS.badRequest);
    });
  }

  /** Cuts the transport, whatever it still holds: the end of a shutdown. */
  destroy(): void {
    this.transport.destroy();
    this.background(this.cleanUp());
  }

  /** The transport went away (the client closed it, or the network did). */
  ended(): void {
    this.background(this.cleanUp());
  }

  /** Whether this connection acts as the user. */
  isUser(appId: string, userId: string): boolean {
    return this.caller?.app.id === appId && this.caller.user.id === userId;
  }

  /** Whether the connection is subscribed to the channel. */
  isWatching(channelId: string): boolean {
    return this.subscriptions.has(channelId);
  }

  /** The user was banned from the channel: their subscription to it ends, and the client does not resubscribe. */
  bannedFrom(channelId: string): void {
    this.background(this.serverUnsubscribe(channelId, UNSUBSCRIBES.banned));
  }

  /** Queues a publication of the personal stream; before the connect reply it waits for it. */
  sendPersonal(publication: Publication): void {
    if (this.closed) return;
    const frame = this.framing.publication(publication);
    if (this.early) this.early.push(frame);
    else this.queue.push(frame);
  }

  /** Sends the server's ping: an empty reply. */
  ping(): void {
    if (this.caller) this.queue.push(this.framing.ping);
  }

  /** Ends the connection with a protocol disconnect push and the same close code. */
  disconnect(reason: Disconnect): void {
    if (this.closed) return;
    // A client that stopped reading gets the push when it reads again, if it does so while the socket
    // lingers; a shutdown does not wait for it (it reconnects elsewhere either way).
    this.queue.close(reason, reason === DISCONNECTS.shutdown ? 0 : CLOSE_LINGER_MS);
    this.background(this.cleanUp());
  }

  /** Work nobody awaits must not fail silently nor take the process down with an unhandled rejection. */
  private background(work: Promise<void>): void {
    work.catch((error: unknown) => this.log.error({ err: error }, 'realtime background work failed'));
  }

  private async handleMessage(data: Buffer | string): Promise<void> {
    for (const parsed of this.framing.read(data)) {
      if (this.closed) return;
      if (parsed.kind === 'pong') continue;
      if (parsed.kind === 'undecodable') return this.disconnect(DISCONNECTS.badRequest);
      // A frame of commands can ask for far more than the client reads (60 pages of history, say):
      // past the limit the connection ends instead of the server building every answer in memory.
      if (this.queue.backlog > MAX_BUFFERED_BYTES) return this.disconnect(DISCONNECTS.slow);
      if (!this.caller) {
        if (parsed.kind === 'command' && parsed.command.method === 'connect') {
          const token = parsed.command.request.token;
          await this.serve(parsed.id, () => this.connect(parsed.id, token));
          continue;
        }
        // After a connect refused for its token, the client's batched commands (its resubscribes) are
        // dropped unanswered: it is about to reconnect with a fresh token, and ending the connection
        // here would stop it for good. Without any connect attempt, a command is a protocol violation,
        // and so is a connect that cannot be read.
        if (this.connectRefused && parsed.kind === 'command') continue;
        return this.disconnect(DISCONNECTS.badRequest);
      }
      if (parsed.kind === 'malformed') this.replyError(parsed.id, REPLY_ERRORS.badRequest);
      else await this.serve(parsed.id, () => this.dispatch(parsed.id, parsed.command));
    }
  }

  private reply(id: number, method: string, result: unknown): void {
    this.queue.push(this.framing.reply(id, method, result));
  }

  private replyError(id: number, error: ReplyError): void {
    this.queue.push(this.framing.error(id, error));
  }

  /** Runs one command; a refusal is answered to its id, anything else is the server's failure. */
  private async serve(id: number, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (error instanceof ReplyFailure) return this.replyError(id, error.error);
      this.log.error({ err: error }, 'realtime command failed');
      this.replyError(id, REPLY_ERRORS.internal);
    }
  }

  private async dispatch(id: number, command: Command): Promise<void> {
    switch (command.method) {
      case 'connect':
        return this.replyError(id, REPLY_ERRORS.badRequest);
      case 'subscribe':
        return this.subscribe(id, command.request);
      case 'unsubscribe':
        return this.unsubscribe(id, command.request.channel);
      case 'refresh':
        return this.refresh(id, command.request.token);
      case 'typing':
        return this.typing(id, command.request);
      case 'rpc':
        throw new ReplyFailure(REPLY_ERRORS.methodNotFound);
      case 'history':
        return this.history(id, command.request);
      case 'presence':
      case 'presence_stats':
        return this.presence(id, command.request, command.method);
      case 'publish':
        // Clients write through REST, which persists before anything is published.
        throw new ReplyFailure(REPLY_ERRORS.permissionDenied);
      case 'sub_refresh':
      case 'send':
        return this.replyError(id, REPLY_ERRORS.notAvailable);
    }
  }

  private async connect(id: number, token: string | undefined): Promise<void> {
    const outcome = await authenticate(this.services.ctx, token);
    // The socket may have closed (or timed out) while the token was checked: nothing may attach to it now.
    if (this.closed) return;
    if ('reason' in outcome) return this.disconnect(outcome);
    if ('message' in outcome) {
      // The client closes and reconnects with a fresh token; a socket left unauthenticated is closed anyway.
      this.connectRefused = true;
      this.replyError(id, outcome);
      setTimeout(() => this.transport.end(), 5000).unref();
      return;
    }
    const allowed = outcome.caller.app.allowedOrigins;
    if (this.origin !== undefined && allowed.length > 0 && !allowed.includes('*') && !allowed.includes(this.origin)) {
      return this.disconnect(DISCONNECTS.forceNoReconnect);
    }
    if (!this.services.userSessions.take(outcome.caller.app.id, outcome.caller.user.id, outcome.caller.app.maxConnectionsPerUser)) {
      return this.disconnect(DISCONNECTS.connectionLimit);
    }
    this.holdsSession = true;
    this.caller = outcome.caller;
    clearTimeout(this.connectTimer);
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
      // The emulated transports post their commands separately, naming the session and the process that holds it.
      ...(this.transport.emulated ? { session: this.id, node: this.services.node } : {}),
    });
    for (const frame of this.early ?? []) this.queue.push(frame);
    this.early = undefined;
  }

  private async refresh(id: number, token: string | undefined): Promise<void> {
    const outcome = await authenticate(this.services.ctx, token);
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
    if (this.subscriptions.has(channelId)) throw new ReplyFailure(REPLY_ERRORS.alreadySubscribed);
    if (this.subscriptions.size >= this.services.maxSubscriptions) throw new ReplyFailure(REPLY_ERRORS.limitExceeded);
    await requireReadable(this.services.ctx.store.db, caller, channelId);
    const subscription = new ChannelSubscription(
      channelId,
      (publication) => this.queue.push(this.framing.publication(publication)),
      (event) => this.onChannelEvent(channelId, event),
    );
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
    await requireReadable(this.services.ctx.store.db, caller, channelId);
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
    await requireReadable(this.services.ctx.store.db, caller, channelId);
    const result = await history(this.services.ctx.store, caller.app.id, channelId, request);
    if (result === undefined) throw new ReplyFailure(REPLY_ERRORS.permissionDenied);
    if (result === 'stale') throw new ReplyFailure(REPLY_ERRORS.unrecoverablePosition);
    this.reply(id, 'history', { publications: result.publications, epoch: result.epoch, offset: result.offset });
  }

  /** `{"rpc":{"method":"typing","data":{"channel","typing","parentId?"}}}`: typing without a REST round trip. */
  private async typing(id: number, request: TypingRequest): Promise<void> {
    const caller = this.caller;
    if (!caller) return;
    try {
      await recordTyping(this.services.ctx, caller, request.channel, { typing: request.typing, ...(request.parentId ? { parentId: request.parentId } : {}) });
    } catch (error) {
      if (error instanceof ApiError) throw new ReplyFailure(REPLY_ERRORS.permissionDenied);
      throw error;
    }
    this.reply(id, 'rpc', { data: {} });
  }

  private async unsubscribe(id: number, channelId: string): Promise<void> {
    await this.dropSubscription(channelId);
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
    this.queue.push(this.framing.message({ push: { channel: channelId, unsubscribe: reason } }));
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
    clearTimeout(this.connectTimer);
    this.early = undefined;
    if (this.caller) this.services.personal.detach(this, this.caller);
    // Clean-up may run twice (a disconnect, then the transport's close): the session is given back once.
    if (this.caller && this.holdsSession) this.services.userSessions.release(this.caller.app.id, this.caller.user.id);
    this.holdsSession = false;
    for (const channelId of [...this.subscriptions.keys()]) await this.dropSubscription(channelId);
    this.onClose(this);
  }
}
