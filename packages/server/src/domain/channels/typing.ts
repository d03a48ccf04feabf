import type { TransientChannelEvent, TypingBody } from '@chatsdk/protocol';
import type { Bus } from '../../bus/bus.js';
import { ApiError } from '../../errors.js';
import type { Caller } from '../auth/caller.js';
import { toIso } from '../common/ids.js';
import type { DomainContext } from '../context.js';
import { channelTopic } from '../events/events.js';
import { findMessage } from '../messages/message-records.js';
import { accessChannel, requireMember } from './channel-access.js';
import { requirePermission, shadowed } from './channel-permissions.js';

/** A start is published at most this often per typist; keystrokes in between only keep it alive. */
export const TYPING_THROTTLE_MS = 3000;
/** A start with no keystroke for this long is closed with a synthesised stop. */
export const TYPING_TIMEOUT_MS = 7000;

interface Typist {
  startedAt: number;
  timer: NodeJS.Timeout;
}

/** Who is typing where, in this process; the events themselves go through the bus like any channel event. */
export class TypingTracker {
  private readonly typists = new Map<string, Typist>();

  constructor(private readonly bus: Bus) {}

  /** A keystroke (`typing: true`) or an explicit stop, as sent by a member of the channel. */
  async update(appId: string, channelId: string, userId: string, typing: boolean, parentId?: string): Promise<void> {
    const key = JSON.stringify([appId, channelId, userId, parentId ?? null]);
    const current = this.typists.get(key);
    if (!typing) {
      if (!current) return;
      clearTimeout(current.timer);
      this.typists.delete(key);
      return this.publish(appId, channelId, 'typing.stop', userId, parentId);
    }
    const now = Date.now();
    const timer = setTimeout(() => {
      this.typists.delete(key);
      void this.publish(appId, channelId, 'typing.stop', userId, parentId);
    }, TYPING_TIMEOUT_MS);
    timer.unref();
    if (current) {
      clearTimeout(current.timer);
      const fresh = now - current.startedAt >= TYPING_THROTTLE_MS;
      this.typists.set(key, { startedAt: fresh ? now : current.startedAt, timer });
      if (!fresh) return;
    } else {
      this.typists.set(key, { startedAt: now, timer });
    }
    return this.publish(appId, channelId, 'typing.start', userId, parentId);
  }

  /** Stops every timer (at shutdown). */
  close(): void {
    for (const typist of this.typists.values()) clearTimeout(typist.timer);
    this.typists.clear();
  }

  private async publish(appId: string, channelId: string, type: TransientChannelEvent['type'], userId: string, parentId?: string): Promise<void> {
    const event: TransientChannelEvent = { type, channelId, createdAt: toIso(Date.now()), userId, ...(parentId ? { parentId } : {}) };
    try {
      await this.bus.publish(channelTopic(appId, channelId), JSON.stringify(event));
    } catch {
      // Typing is of the moment: a lost one is not worth an error to the typist.
    }
  }
}

/**
 * A member's keystroke or stop in a channel (`POST /api/channels/:id/typing`
 * and the realtime `typing` rpc). Nothing is stored; a channel type with
 * typing events off takes the call and publishes nothing. A `parentId` must
 * name a live top-level message of the channel, as a reply's must when it is
 * sent, so no receiver is told of a thread that is not there; a stop in a
 * thread deleted meanwhile is refused too, and the 7 s timeout ends it.
 */
export async function recordTyping(
  ctx: DomainContext & { typing: TypingTracker },
  caller: Caller,
  channelId: string,
  body: TypingBody,
): Promise<void> {
  if (caller.kind !== 'user') return;
  const access = await accessChannel(ctx.store.db, caller, channelId);
  requireMember(access);
  requirePermission(access, 'typing');
  if (body.parentId !== undefined) {
    const parent = await findMessage(ctx.store.db, caller.app.id, body.parentId);
    if (!parent || parent.channelId !== channelId || parent.deletedAt !== null || parent.parentId !== null) {
      throw new ApiError('validation_failed', 'body/parentId must name a live top-level message of this channel');
    }
  }
  // A shadow-banned typist is told nothing, and nobody sees them typing messages that never arrive.
  if (!access.config.typingEvents || shadowed(access)) return;
  await ctx.typing.update(caller.app.id, channelId, caller.user.id, body.typing, body.parentId);
}
