import type {
  ChannelRole,
  ChannelState,
  Member,
  MemberResponse,
  MembersPage,
  MembershipResponse,
  MembersResponse,
  MessageResponse,
  MessagesPage,
  PinnedPage,
  ReactionResponse,
  ReadResponse,
  ReadsPage,
  ReadState,
  RealtimeChannelEvent,
  SendReactionBody,
  UpdateChannelBody,
  UpdateMembershipBody,
  UpdateMessageBody,
  Upload,
  User,
  UserPresence,
} from '@chatsdk/protocol';
import type { UploadsApi } from '../api/uploads.js';
import type { ChatError } from '../errors.js';
import type { RequestManager } from '../http/requests.js';
import { seg } from '../http/requests.js';
import type { Outbox } from '../offline/outbox.js';
import type { OutboxOperation } from '../offline/storage.js';
import type { RealtimeConnection } from '../realtime/connection.js';
import { fromServer, type LocalMessage } from '../state/message-list.js';
import { MessageWindow } from '../state/message-window.js';
import { membersPresence } from '../state/presence.js';
import { type ReadableStore, Store } from '../store.js';
import type { FileSender, SendOperation } from '../uploads/file-sender.js';
import { outboxFile } from '../uploads/files.js';
import type { FileInput, LocalFile, UploadOptions } from '../uploads/types.js';
import { newId } from '../util.js';
import { applyEvent, type ChannelStores } from './apply-event.js';
import { FailedSends } from './failed-sends.js';
import { patchFile, removeFile } from './files.js';
import { ChannelModeration } from './moderation.js';
import { Refresher } from './refresh.js';
import { ChannelStream } from './stream.js';
import { sendTyping, TypingSender, TypingStore } from './typing.js';
import { applyDone, applyFailed, applyOptimistic, type MessageInput, putAnswer, restorePending, type SendMessageOptions } from './writes.js';

/** What a channel needs from its client. */
export interface ChannelContext {
  requests: RequestManager;
  connection: RealtimeConnection;
  outbox: Outbox;
  uploads: UploadsApi;
  files: FileSender;
  me(): string | undefined;
  /** Every event after this channel applied it (the client updates its list and unread counts). */
  applied(channel: ChatChannel, event: RealtimeChannelEvent): void;
  /** The user's own membership here changed by a call (a read): the list and unread counts follow. */
  membershipChanged(channel: ChatChannel): void;
  /** Background work that failed with nobody awaiting it. */
  reportError(error: unknown): void;
  /** Everyone's presence, kept by the client. */
  presence: ReadableStore<Readonly<Record<string, UserPresence>>>;
  /** Loads these users' presence into `presence`. */
  loadPresence(userIds: string[]): Promise<unknown>;
  /** The calling user, once read. */
  current: ReadableStore<User | null>;
}

/**
 * One channel: its stores (state, message window, threads, typing, read
 * receipts, members) and its calls. `watch()` loads it and keeps it live;
 * writes are optimistic and go through the client's outbox.
 */
export class ChatChannel {
  /** The channel, its last message and the user's membership; null until loaded. */
  readonly state = new Store<ChannelState | null>(null);
  /** The newest messages, extended backwards with `loadOlder()`. */
  readonly messages: MessageWindow;
  /** Others typing here (in threads too: see `parentId`). */
  readonly typing: TypingStore;
  /** Read receipts: every member's read position by user id. */
  readonly reads = new Store<Readonly<Record<string, ReadState>>>({});
  /** Members by user id (the first 100 after `watch()`; `loadMembers()` for more). */
  readonly members = new Store<readonly Member[]>([]);
  /** The members' presence (online, last active), by user id; loaded by `watch()`, live from the personal stream. */
  readonly presence: ReadableStore<Readonly<Record<string, UserPresence>>>;
  /** Freeze, slow mode, blocklists, reporting messages, and whether the user may send now (`sendState`). */
  readonly moderation: ChannelModeration;
  private readonly threads = new Map<string, MessageWindow>();
  /** Bodies of failed sends, resent exactly as they were (another body under the same id would be a conflict). */
  private readonly failedSends = new FailedSends();
  private readonly refresher: Refresher;
  private readonly stream: ChannelStream;
  private readonly typist: TypingSender;
  private readonly stores: ChannelStores;
  private watching = false;
  /** Stops waiting for a ban from this channel to end. */
  private rejoin: (() => void) | undefined;

  constructor(
    /** The channel id (also its realtime channel name). */
    readonly id: string,
    private readonly ctx: ChannelContext,
  ) {
    const path = `/api/channels/${seg(id)}`;
    this.messages = new MessageWindow((query) => ctx.requests.request<MessagesPage>(`${path}/messages`, { query: { ...query } }), (m) => m.parentId === null || m.showInChannel);
    this.typing = new TypingStore(ctx.me);
    this.presence = membersPresence(this.members, ctx.presence);
    this.stores = { me: ctx.me, state: this.state, messages: this.messages, threads: this.threads, typing: this.typing, reads: this.reads, members: this.members };
    this.stream = new ChannelStream((event) => this.apply(event), () => this.reload(), ctx.reportError);
    this.typist = new TypingSender((typing, parentId) => void sendTyping(ctx.connection, ctx.requests, id, typing, parentId));
    this.moderation = new ChannelModeration(this.state, ctx.current, ctx.requests, path);
    this.refresher = new Refresher((messageId) => ctx.requests.request<MessageResponse>(`/api/messages/${seg(messageId)}`).then(({ message }) => putAnswer(this.stores, message)));
  }

  private get path(): string {
    return `/api/channels/${seg(this.id)}`;
  }

  /** Whether the channel is watched (loaded and live). */
  get watched(): boolean {
    return this.watching;
  }

  /** Fetches the channel's state (`GET /api/channels/:id`). */
  async get(): Promise<ChannelState> {
    const state = await this.ctx.requests.request<ChannelState>(this.path);
    this.state.set(state);
    return state;
  }

  /**
   * Loads the channel (state, newest messages, members, read receipts) and
   * subscribes to its stream from the position that state is at, so no event
   * between the load and the subscription is missed.
   */
  async watch(): Promise<void> {
    this.rejoin?.();
    this.watching = true;
    let offset: number;
    try {
      offset = await this.reload();
    } catch (error) {
      this.watching = false;
      throw error;
    }
    const channel = this.state.getSnapshot()?.channel;
    if (!this.watching || !channel) return;
    this.stream.reset(offset);
    const others = this.members.getSnapshot().map((member) => member.userId).filter((userId) => userId !== this.ctx.me());
    this.ctx.loadPresence(others).catch(this.ctx.reportError);
    await this.ctx.connection.subscribe(this.id, { offset, epoch: channel.epoch }, {
      publication: (data, at) => this.stream.publication(data as RealtimeChannelEvent, at),
      subscribed: (info) => this.stream.subscribed(info),
      unsubscribed: (code) => {
        // 2000 removed, 2001 deleted, 2002 banned: the server ended it; the stores stay as they were last. A ban is
        // read, and the channel is watched again once it ends (by itself, or found lifted by a later read).
        if (code >= 2000) this.watching = false;
        if (code === 2002) this.get().then(() => (this.rejoin = this.moderation.whenUnbanned(() => void this.watch().catch(this.ctx.reportError))), this.ctx.reportError);
      },
    });
  }

  /** Stops the live updates; the stores keep their last snapshots. */
  unwatch(): void {
    this.rejoin?.();
    this.watching = false;
    this.stream.dispose();
    this.typist.dispose();
    this.typing.reset();
    this.ctx.connection.unsubscribe(this.id);
  }

  /** Pages older messages into the window; resolves to whether even older ones remain. */
  loadOlder(limit?: number): Promise<boolean> {
    return this.messages.loadOlder(limit);
  }

  /** A thread's window of replies (load it with `reload()`, page with `loadOlder()`); live while the channel is watched. */
  thread(parentId: string): MessageWindow {
    let thread = this.threads.get(parentId);
    if (!thread) {
      thread = new MessageWindow((query) => this.ctx.requests.request<MessagesPage>(`/api/messages/${seg(parentId)}/replies`, { query: { ...query } }), (m) => m.parentId === parentId);
      this.threads.set(parentId, thread);
      for (const entry of this.ctx.outbox.entries.getSnapshot()) if (entry.op.kind === 'send' && entry.op.body.parentId === parentId) restorePending(this.stores, entry.op, entry.createdAt);
    }
    return thread;
  }

  /**
   * Sends a message. It shows at once (`status: 'sending'`, with its client id; `files` with their
   * previews and progress), becomes `sent` when the server has it or `failed` when it gives up;
   * offline, it waits in the outbox. Files are uploaded first. Resolves with the message as sent.
   */
  async sendMessage(input: MessageInput, options: SendMessageOptions = {}): Promise<LocalMessage> {
    const fields = typeof input === 'string' ? { text: input } : input;
    const op: SendOperation = { kind: 'send', channelId: this.id, body: { ...fields, id: fields.id ?? newId() } };
    if (options.files?.length) op.files = options.files.map((file) => outboxFile(file));
    return this.send(op);
  }

  /** Sends a failed message again, with the same id and body (files already uploaded are not uploaded again): the server keeps one copy whatever happened before. */
  async retry(messageId: string): Promise<LocalMessage> {
    const op = this.failedSends.take(messageId);
    if (!op) throw new Error(`no failed message ${messageId} in this channel`);
    return this.send(op);
  }

  /** Drops a failed message from the windows. */
  discard(messageId: string): void {
    this.failedSends.take(messageId, true);
    this.messages.remove(messageId);
    for (const thread of this.threads.values()) thread.remove(messageId);
  }

  /**
   * Cancels a file of a message not sent yet (its upload aborted or deleted), or removes a failed one:
   * the message goes without it, or is dropped if nothing is left. False when it is already on its way.
   */
  cancelFile(messageId: string, fileId: string): boolean {
    const failed = this.failedSends.get(messageId);
    const next = this.ctx.files.cancel(messageId, fileId, failed);
    if (next === false) return false;
    if (next === null) {
      this.discard(messageId);
      return true;
    }
    if (failed) this.failedSends.replace(next);
    removeFile(this.stores, next, fileId);
    return true;
  }

  /** Uploads a file for this channel (`POST /api/uploads`); send it with `attachments: [{ type, uploadId: upload.id }]`. */
  uploadFile(file: FileInput, options: UploadOptions = {}): Promise<Upload> {
    return this.ctx.uploads.upload(file, { ...options, channelId: this.id });
  }

  /**
   * Reads a message again for fresh attachment links (their signatures expire): call it when one fails
   * to load. Calls for one message share one request, at most once a minute.
   */
  refreshMessage(messageId: string): Promise<void> {
    return this.refresher.refresh(messageId);
  }

  /** A file of an unsent message moved on (progress, done, failed): its row shows it. */
  fileChanged(op: SendOperation, fileId: string, change: Partial<LocalFile>): void {
    if (change.state) this.failedSends.fileState(fileId, change.error);
    patchFile(this.stores, op, fileId, change);
  }

  /** Edits a message (text, attachments, custom); shows at once. */
  async editMessage(messageId: string, change: UpdateMessageBody | string): Promise<LocalMessage> {
    const body = typeof change === 'string' ? { text: change } : change;
    const { message } = (await this.write({ kind: 'edit', channelId: this.id, messageId, body })) as MessageResponse;
    return this.find(messageId, message.parentId) ?? fromServer(message);
  }

  /** Deletes a message (soft: a tombstone stays); shows at once. */
  async deleteMessage(messageId: string): Promise<void> {
    await this.write({ kind: 'delete', channelId: this.id, messageId });
  }

  /** Reacts to a message (`type` such as `like`); resolves with the server's answer. */
  react(messageId: string, type: string, options: Omit<SendReactionBody, 'type'> = {}): Promise<ReactionResponse> {
    return this.write({ kind: 'react', channelId: this.id, messageId, body: { type, ...options } }) as Promise<ReactionResponse>;
  }

  /** Removes the user's reaction of `type`. */
  unreact(messageId: string, type: string): Promise<ReactionResponse> {
    return this.write({ kind: 'unreact', channelId: this.id, messageId, type }) as Promise<ReactionResponse>;
  }

  /** Pins a message. */
  pin(messageId: string): Promise<MessageResponse> {
    return this.ctx.requests.request<MessageResponse>(`/api/messages/${seg(messageId)}/pin`, { method: 'POST' });
  }

  /** Unpins a message. */
  unpin(messageId: string): Promise<MessageResponse> {
    return this.ctx.requests.request<MessageResponse>(`/api/messages/${seg(messageId)}/pin`, { method: 'DELETE' });
  }

  /** The channel's pinned messages, most recently pinned first. */
  pinned(query: { limit?: number; cursor?: string } = {}): Promise<PinnedPage> {
    return this.ctx.requests.request<PinnedPage>(`${this.path}/pinned`, { query });
  }

  /** Marks the channel read up to `messageId` (default: the newest message). */
  async markRead(messageId?: string): Promise<ReadResponse> {
    const answer = await this.ctx.requests.request<ReadResponse>(`${this.path}/read`, { body: messageId ? { messageId } : {} });
    this.state.update((state) =>
      state?.membership ? { ...state, membership: { ...state.membership, lastReadSeq: Math.max(state.membership.lastReadSeq, answer.read.lastReadSeq), unreadCount: answer.unreadCount, unreadMentions: answer.unreadCount === 0 ? 0 : state.membership.unreadMentions } } : state,
    );
    this.reads.update((reads) => ({ ...reads, [answer.read.userId]: answer.read }));
    this.ctx.membershipChanged(this);
    return answer;
  }

  /** Call on every keystroke in the composer: starts are throttled, a stop follows a pause. */
  keystroke(parentId?: string): void {
    this.typist.keystroke(parentId);
  }

  /** The user stopped typing (cleared the composer, left). Sending a message does this by itself. */
  stopTyping(parentId?: string): void {
    this.typist.stop(parentId);
  }

  /** A page of members, ordered by user id. */
  loadMembers(query: { limit?: number; cursor?: string } = {}): Promise<MembersPage> {
    return this.ctx.requests.request<MembersPage>(`${this.path}/members`, { query });
  }

  /** Adds members (moderators and up; or yourself in an open channel). */
  addMembers(userIds: string[], role?: ChannelRole): Promise<MembersResponse> {
    return this.ctx.requests.request<MembersResponse>(`${this.path}/members`, { body: role ? { userIds, role } : { userIds } });
  }

  /** Removes a member (or leaves, with your own id). */
  async removeMember(userId: string): Promise<void> {
    await this.ctx.requests.request<undefined>(`${this.path}/members/${seg(userId)}`, { method: 'DELETE' });
  }

  /** Changes a member's role. */
  updateMember(userId: string, role: ChannelRole): Promise<MemberResponse> {
    return this.ctx.requests.request<MemberResponse>(`${this.path}/members/${seg(userId)}`, { method: 'PATCH', body: { role } });
  }

  /** The user's own settings here: muted, pinned, archived. */
  async updateMembership(body: UpdateMembershipBody): Promise<MembershipResponse> {
    const answer = await this.ctx.requests.request<MembershipResponse>(`${this.path}/membership`, { method: 'PATCH', body });
    this.state.update((state) => (state ? { ...state, membership: answer.membership } : state));
    return answer;
  }

  /** Changes the channel's name, image or custom data. */
  async update(body: UpdateChannelBody): Promise<ChannelState> {
    const state = await this.ctx.requests.request<ChannelState>(this.path, { method: 'PATCH', body });
    this.state.set(state);
    return state;
  }

  /** Deletes the channel (its owner). */
  async delete(): Promise<void> {
    await this.ctx.requests.request<undefined>(this.path, { method: 'DELETE' });
  }

  /** A write made by the client's outbox for this channel finished. */
  writeDone(op: OutboxOperation, result: unknown): void {
    applyDone(this.stores, op, result);
  }

  /** A write for this channel failed: a send shows `failed` (now, or when the channel loads); anything else is put back as the server has it. */
  writeFailed(op: OutboxOperation, error: ChatError, createdAt?: string): void {
    applyFailed(this.stores, op, error);
    this.moderation.refused(error, op.kind === 'send');
    if (op.kind === 'send') {
      this.failedSends.add(op, error, createdAt);
      return;
    }
    this.ctx.requests.request<MessageResponse>(`/api/messages/${seg(op.messageId)}`).then(
      ({ message }) => putAnswer(this.stores, message),
      (fetchError: unknown) => this.ctx.reportError(fetchError),
    );
  }

  /** Reloads state, messages, members and read receipts; resolves to the stream offset the state includes. */
  private async reload(): Promise<number> {
    const state = await this.get();
    await Promise.all([
      // The channel's events wait while it reloads (see ChannelStream): the page replaces the window.
      this.messages.reload(false),
      this.ctx.requests.request<MembersPage>(`${this.path}/members`, { query: { limit: 100 } }).then((page) => this.members.set(page.members)),
      this.ctx.requests.request<ReadsPage>(`${this.path}/read`, { query: { limit: 100 } }).then((page) => this.reads.set(Object.fromEntries(page.reads.map((read) => [read.userId, read])))),
      ...[...this.threads.values()].filter((thread) => thread.getSnapshot().ready).map((thread) => thread.reload()),
    ]);
    for (const entry of this.ctx.outbox.entries.getSnapshot()) if (entry.op.channelId === this.id) restorePending(this.stores, entry.op, entry.createdAt);
    this.failedSends.restore(this.stores);
    return state.channel.offset;
  }

  private apply(event: RealtimeChannelEvent): void {
    applyEvent(this.stores, event);
    if (event.type === 'channel.deleted') this.watching = false;
    this.ctx.applied(this, event);
  }

  private async send(op: SendOperation): Promise<LocalMessage> {
    this.typist.stop(op.body.parentId);
    this.moderation.sending();
    const { message } = (await this.write(op)) as MessageResponse;
    this.moderation.sending();
    return this.find(op.body.id, op.body.parentId) ?? fromServer(message);
  }

  private write(op: OutboxOperation): Promise<unknown> {
    applyOptimistic(this.stores, op);
    return this.ctx.outbox.enqueue(op);
  }

  private find(id: string, parentId: string | null | undefined): LocalMessage | undefined {
    return this.messages.get(id) ?? (parentId ? this.threads.get(parentId)?.get(id) : undefined);
  }
}
