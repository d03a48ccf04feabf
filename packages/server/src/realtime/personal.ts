import {
  type ChannelEvent,
  type MemberAddedEvent,
  type MessageNewEvent,
  type MessageReadEvent,
  type ModerationFlaggedEvent,
  personalChannel,
  type UserEvent,
} from '@chatsdk/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { UserCaller } from '../domain/auth/caller.js';
import { getChannel } from '../domain/channels/channels.js';
import { appTopic } from '../domain/events/events.js';
import { mentionCountsAt, unreadCountsAt } from '../domain/reads/unread.js';
import type { ServerContext } from '../http/context.js';
import { jsonPublicationFrame, type Publication } from './framing.js';
import {
  channelKey,
  figures,
  type LocalUser,
  type Pending,
  type PersonalReceiver,
  type PresenceNotice,
  reviewsFlags,
  totals,
  type UnreadFigures,
  userKey,
} from './personal-records.js';
import type { PresenceTracker } from './presence-tracker.js';

/**
 * Every connection's personal stream, `#<userId>`: what happens in the
 * user's channels that the connection does not watch, and presence. One bus
 * topic per app carries the events; this process keeps, for its own users,
 * which channels they belong to, so an event finds its receivers without a
 * query per event.
 */
export class PersonalStreams {
  private readonly users = new Map<string, LocalUser>();
  /** app + channel → local users who are members. */
  private readonly members = new Map<string, Set<LocalUser>>();
  /** app → local users who review its flags (moderators and admins). */
  private readonly reviewers = new Map<string, Set<LocalUser>>();
  private readonly apps = new Map<string, { users: number; stop: Promise<() => Promise<void>> }>();

  constructor(
    private readonly ctx: ServerContext,
    private readonly presence: PresenceTracker,
    private readonly log: FastifyBaseLogger,
    /** How long a user stays online after their last connection closes: a reconnect does not flap. */
    private readonly offlineDelayMs: number,
    /** Channels with more members than this carry no presence events. */
    private readonly presenceMemberLimit: number,
  ) {
    // Membership changes published while the bus was away never arrived: each local user's channels are read again.
    ctx.bus.onRestored(() => {
      for (const user of this.users.values()) this.background(this.resync(user));
    });
  }

  /** Starts the connection's personal stream; resolves once nothing that happens from now on can be missed. */
  async attach(receiver: PersonalReceiver, caller: UserCaller): Promise<void> {
    const key = userKey(caller.app.id, caller.user.id);
    const known = this.users.get(key);
    if (known) {
      clearTimeout(known.departure);
      known.departure = undefined;
      known.connections.add(receiver);
      return known.ready;
    }
    const user: LocalUser = {
      appId: caller.app.id,
      userId: caller.user.id,
      caller,
      connections: new Set([receiver]),
      channels: new Set(),
      loading: [],
      ready: Promise.resolve(),
      queue: [],
      draining: false,
      departure: undefined,
    };
    this.users.set(key, user);
    if (reviewsFlags(user)) {
      let reviewers = this.reviewers.get(user.appId);
      if (!reviewers) this.reviewers.set(user.appId, (reviewers = new Set()));
      reviewers.add(user);
    }
    user.ready = this.arrive(user);
    return user.ready;
  }

  /** Ends the connection's personal stream; the user goes offline when no connection returns in time. */
  detach(receiver: PersonalReceiver, caller: UserCaller): void {
    const user = this.users.get(userKey(caller.app.id, caller.user.id));
    if (!user || !user.connections.delete(receiver) || user.connections.size > 0) return;
    user.departure = setTimeout(() => this.background(this.depart(user)), this.offlineDelayMs);
    user.departure.unref();
  }

  /** Ends every personal stream: the process is stopping. */
  async close(): Promise<void> {
    for (const user of this.users.values()) clearTimeout(user.departure);
    this.users.clear();
    this.members.clear();
    this.reviewers.clear();
    const apps = [...this.apps.values()];
    this.apps.clear();
    for (const app of apps) await (await app.stop)().catch(() => {});
  }

  private async arrive(user: LocalUser): Promise<void> {
    try {
      // Listen first, then read: a membership change committed in between is not missed.
      await this.listen(user.appId);
      for (const channelId of await this.channelsOf(user)) this.join(user, channelId);
      const waiting = user.loading ?? [];
      user.loading = undefined;
      for (const change of waiting) change();
    } catch (error) {
      this.forget(user);
      throw error;
    }
    // Presence is a courtesy: a presence store that is down must not keep anyone from connecting.
    const now = Date.now();
    try {
      if (await this.presence.userArrived(user.appId, user.userId, now)) await this.announce(user, 'user.online', now);
    } catch (error) {
      this.log.warn({ err: error }, 'presence: cannot record an arrival');
    }
  }

  /** Brings a user's channel set back in line with the store. */
  private async resync(user: LocalUser): Promise<void> {
    await user.ready;
    const now = new Set(await this.channelsOf(user));
    if (this.users.get(userKey(user.appId, user.userId)) !== user) return;
    for (const channelId of [...user.channels]) if (!now.has(channelId)) this.leave(user, channelId);
    for (const channelId of now) if (!user.channels.has(channelId)) this.join(user, channelId);
  }

  private async depart(user: LocalUser): Promise<void> {
    if (user.connections.size > 0 || this.users.get(userKey(user.appId, user.userId)) !== user) return;
    this.forget(user);
    const now = Date.now();
    if (await this.presence.userLeft(user.appId, user.userId, now)) await this.announce(user, 'user.offline', now);
  }

  private forget(user: LocalUser): void {
    if (this.users.get(userKey(user.appId, user.userId)) !== user) return;
    this.users.delete(userKey(user.appId, user.userId));
    const reviewers = this.reviewers.get(user.appId);
    if (reviewers?.delete(user) && reviewers.size === 0) this.reviewers.delete(user.appId);
    for (const channelId of user.channels) this.leave(user, channelId);
    this.background(this.unlisten(user.appId));
  }

  /**
   * Tells every process that the user came or went. It concerns the members of the user's channels up
   * to `presenceMemberLimit` members: in a channel of thousands, everyone's arrivals and departures would
   * be most of the traffic (N members coming online is N² events), and such channels show a count, not
   * who is online.
   */
  private async announce(user: LocalUser, type: PresenceNotice['type'], now: number): Promise<void> {
    const channelIds = await this.channelsOf(user, this.presenceMemberLimit);
    if (channelIds.length === 0) return;
    const at = new Date(now).toISOString();
    const notice: PresenceNotice = {
      type,
      userId: user.userId,
      createdAt: at,
      ...(type === 'user.offline' ? { lastActiveAt: at } : {}),
      channelIds,
    };
    await this.ctx.bus.publish(appTopic(user.appId), JSON.stringify(notice));
  }

  /**
   * A channel ban of a local user was placed (`banned`) or lifted: the
   * channel leaves their index, so its news stops reaching their personal
   * stream (they are still a member), or joins it again.
   */
  channelBan(appId: string, userId: string, channelId: string, banned: boolean): void {
    const user = this.users.get(userKey(appId, userId));
    if (!user) return;
    if (banned) this.membership(user, channelId, false);
    else this.background(this.resync(user));
  }

  /**
   * The user's channels (those of at most `maxMembers` members, when given),
   * less those they are banned from: a banned member hears nothing of the
   * channel (a shadow ban changes nothing they can see).
   */
  private async channelsOf(user: LocalUser, maxMembers?: number): Promise<string[]> {
    const now = Date.now();
    let query = this.ctx.store.db
      .selectFrom('members')
      .innerJoin('channels', (join) => join.onRef('channels.app_id', '=', 'members.app_id').onRef('channels.id', '=', 'members.channel_id'))
      .leftJoin('bans', (join) =>
        join.onRef('bans.app_id', '=', 'members.app_id').onRef('bans.user_id', '=', 'members.user_id').onRef('bans.channel_id', '=', 'members.channel_id'),
      )
      .select('members.channel_id as channelId')
      .where('members.app_id', '=', user.appId)
      .where('members.user_id', '=', user.userId)
      .where('channels.deleted_at', 'is', null)
      .where((eb) => eb.or([eb('bans.created_at', 'is', null), eb('bans.shadow', '=', 1), eb('bans.expires_at', '<=', now)]));
    if (maxMembers !== undefined) query = query.where('channels.member_count', '<=', maxMembers);
    return (await query.execute()).map((row) => row.channelId);
  }

  private async listen(appId: string): Promise<void> {
    let app = this.apps.get(appId);
    if (!app) {
      app = { users: 0, stop: this.ctx.bus.subscribe(appTopic(appId), (json) => this.receive(appId, json)) };
      this.apps.set(appId, app);
      app.stop.catch(() => this.apps.delete(appId));
    }
    app.users += 1;
    await app.stop;
  }

  private async unlisten(appId: string): Promise<void> {
    const app = this.apps.get(appId);
    if (!app) return;
    app.users -= 1;
    if (app.users > 0) return;
    this.apps.delete(appId);
    await (await app.stop)();
  }

  /** Changes what the index says of the user's channels, after their channel list has loaded. */
  private membership(user: LocalUser, channelId: string, member: boolean): void {
    const change = () => (member ? this.join(user, channelId) : this.leave(user, channelId));
    if (user.loading) user.loading.push(change);
    else change();
  }

  private join(user: LocalUser, channelId: string): void {
    user.channels.add(channelId);
    const key = channelKey(user.appId, channelId);
    let members = this.members.get(key);
    if (!members) this.members.set(key, (members = new Set()));
    members.add(user);
  }

  private leave(user: LocalUser, channelId: string): void {
    user.channels.delete(channelId);
    const key = channelKey(user.appId, channelId);
    const members = this.members.get(key);
    members?.delete(user);
    if (members?.size === 0) this.members.delete(key);
  }

  private receive(appId: string, json: string): void {
    const event = JSON.parse(json) as ChannelEvent | PresenceNotice | ModerationFlaggedEvent;
    switch (event.type) {
      case 'message.new':
        return this.messageNew(appId, event);
      case 'member.added':
        return this.memberAdded(appId, event);
      case 'member.removed': {
        const user = this.users.get(userKey(appId, event.userId));
        if (!user) return;
        this.membership(user, event.channelId, false);
        return this.tell(user, { type: 'notification.removed_from_channel', channelId: event.channelId, createdAt: event.createdAt });
      }
      case 'channel.deleted':
        for (const user of [...(this.members.get(channelKey(appId, event.channelId)) ?? [])]) {
          this.membership(user, event.channelId, false);
          this.tell(user, { type: 'notification.channel_deleted', channelId: event.channelId, createdAt: event.createdAt });
        }
        return;
      case 'message.read':
        return this.markRead(appId, event);
      case 'user.online':
      case 'user.offline':
        return this.presenceChanged(appId, event);
      case 'moderation.flagged':
        // The review queue's news, for whoever reviews it; the same text for all of them.
        for (const user of this.reviewers.get(appId) ?? []) this.enqueue(user, { needsCounts: false, deliver: () => this.send(user, [...user.connections], json) });
        return;
      default:
        return;
    }
  }

  private messageNew(appId: string, event: MessageNewEvent): void {
    const { message, channelId } = event;
    // Replies shown only in their thread count as nobody's unread.
    if (message.parentId !== null && !message.showInChannel) return;
    for (const user of this.members.get(channelKey(appId, channelId)) ?? []) {
      if (user.userId === message.userId || !this.unwatched(user, channelId)) continue;
      this.enqueue(user, {
        needsCounts: true,
        deliver: (counts) => {
          const receivers = [...user.connections].filter((c) => !c.isWatching(channelId));
          const data: UserEvent = { type: 'notification.message_new', channelId, message, ...totals(counts, channelId), createdAt: event.createdAt };
          this.send(user, receivers, JSON.stringify(data));
        },
      });
    }
  }

  private memberAdded(appId: string, event: MemberAddedEvent): void {
    const user = this.users.get(userKey(appId, event.member.userId));
    if (!user) return;
    this.membership(user, event.channelId, true);
    this.enqueue(user, {
      needsCounts: false,
      deliver: async () => {
        // The channel as the user's list shows it; gone already if it was deleted since.
        const state = await getChannel(this.ctx, user.caller, event.channelId).catch(() => undefined);
        if (!state) return;
        const data: UserEvent = { type: 'notification.added_to_channel', channelId: event.channelId, state, member: event.member, createdAt: event.createdAt };
        this.send(user, [...user.connections], JSON.stringify(data));
      },
    });
  }

  private markRead(appId: string, event: MessageReadEvent): void {
    const user = this.users.get(userKey(appId, event.read.userId));
    if (!user) return;
    this.enqueue(user, {
      needsCounts: true,
      deliver: (counts) => {
        const data: UserEvent = { type: 'notification.mark_read', channelId: event.channelId, read: event.read, ...totals(counts, event.channelId), createdAt: event.createdAt };
        this.send(user, [...user.connections], JSON.stringify(data));
      },
    });
  }

  private presenceChanged(appId: string, notice: PresenceNotice): void {
    const { channelIds, ...event } = notice;
    const json = JSON.stringify(event);
    const told = new Set<LocalUser>();
    for (const channelId of channelIds) {
      for (const user of this.members.get(channelKey(appId, channelId)) ?? []) {
        if (user.userId === notice.userId || told.has(user)) continue;
        told.add(user);
        this.enqueue(user, { needsCounts: false, deliver: () => this.send(user, [...user.connections], json) });
      }
    }
  }

  private unwatched(user: LocalUser, channelId: string): boolean {
    for (const connection of user.connections) if (!connection.isWatching(channelId)) return true;
    return false;
  }

  private tell(user: LocalUser, event: UserEvent): void {
    const json = JSON.stringify(event);
    this.enqueue(user, { needsCounts: false, deliver: () => this.send(user, [...user.connections], json) });
  }

  private send(user: LocalUser, receivers: PersonalReceiver[], json: string): void {
    if (receivers.length === 0) return;
    // One publication for all of the user's connections: each framing encodes it once.
    const channelId = personalChannel(user.userId);
    const publication: Publication = { channelId, json, offset: undefined, frame: jsonPublicationFrame(channelId, json, undefined) };
    for (const receiver of receivers) receiver.sendPersonal(publication);
  }

  private enqueue(user: LocalUser, pending: Pending): void {
    user.queue.push(pending);
    if (!user.draining) this.background(this.drain(user));
  }

  /** Delivers a user's events in order; those that need unread counts share one read of them per batch. */
  private async drain(user: LocalUser): Promise<void> {
    user.draining = true;
    try {
      while (user.queue.length > 0) {
        const batch = user.queue.splice(0);
        let counts: UnreadFigures | undefined;
        if (batch.some((pending) => pending.needsCounts)) {
          const db = this.ctx.store.db;
          counts = await Promise.all([unreadCountsAt(db, user.appId, user.userId), mentionCountsAt(db, user.appId, user.userId)])
            .then(([unread, mentions]) => figures(unread, mentions))
            .catch((error: unknown) => {
              this.log.warn({ err: error }, 'personal stream: cannot count unread messages');
              return undefined;
            });
        }
        for (const pending of batch) {
          if (pending.needsCounts && !counts) continue;
          await Promise.resolve(pending.deliver(counts)).catch((error: unknown) => this.log.error({ err: error }, 'personal stream: delivery failed'));
        }
      }
    } finally {
      user.draining = false;
    }
  }

  private background(work: Promise<void>): void {
    work.catch((error: unknown) => this.log.error({ err: error }, 'personal stream work failed'));
  }
}
