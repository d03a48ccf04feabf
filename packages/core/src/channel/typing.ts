import type { TypingStartEvent, TypingStopEvent } from '@chatsdk/protocol';
import { type RequestManager, seg } from '../http/requests.js';
import type { RealtimeConnection } from '../realtime/connection.js';
import { Store } from '../store.js';
import { backgroundTimer } from '../util.js';

/** Someone typing in a channel, or in one of its threads when `parentId` is set. */
export interface TypingUser {
  userId: string;
  parentId: string | null;
  since: string;
}

/** Starts are sent at most this often while the user keeps typing. */
const START_EVERY_MS = 3000;
/** After this long without a keystroke the client says it stopped (the server would after 7 s). */
const IDLE_STOP_MS = 5000;
/** A start with no stop is dropped after this long, in case the stop was lost. */
const STALE_MS = 9000;

/** Others typing in one channel: updated from transient typing events, each entry expiring on its own. */
export class TypingStore extends Store<readonly TypingUser[]> {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly me: () => string | undefined) {
    super([]);
  }

  /** Applies a typing event of someone else. */
  apply(event: TypingStartEvent | TypingStopEvent): void {
    if (event.userId === this.me()) return;
    const parentId = event.parentId ?? null;
    const key = `${event.userId}\n${parentId ?? ''}`;
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    const others = this.getSnapshot().filter((user) => user.userId !== event.userId || user.parentId !== parentId);
    if (event.type === 'typing.stop') {
      this.set(others.length === this.getSnapshot().length ? this.getSnapshot() : others);
      return;
    }
    const existing = this.getSnapshot().find((user) => user.userId === event.userId && user.parentId === parentId);
    if (!existing) this.set([...others, { userId: event.userId, parentId, since: event.createdAt }]);
    this.timers.set(key, backgroundTimer(() => this.apply({ ...event, type: 'typing.stop' }), STALE_MS));
  }

  /** Forgets everyone (the channel was reloaded or closed). */
  reset(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.set([]);
  }
}

/** The user's own typing: throttled starts, and a stop after a pause or a send. */
export class TypingSender {
  private readonly started = new Map<string, { at: number; idle: ReturnType<typeof setTimeout> }>();

  constructor(private readonly send: (typing: boolean, parentId: string | undefined) => void) {}

  /** Call on every keystroke. */
  keystroke(parentId?: string): void {
    const key = parentId ?? '';
    const now = Date.now();
    const current = this.started.get(key);
    if (current) clearTimeout(current.idle);
    const recent = current !== undefined && now - current.at < START_EVERY_MS;
    const at = recent ? current.at : now;
    if (!recent) this.send(true, parentId);
    this.started.set(key, { at, idle: backgroundTimer(() => this.stop(parentId), IDLE_STOP_MS) });
  }

  /** The user stopped typing (sent the message, cleared the box, left). */
  stop(parentId?: string): void {
    const key = parentId ?? '';
    const current = this.started.get(key);
    if (!current) return;
    clearTimeout(current.idle);
    this.started.delete(key);
    this.send(false, parentId);
  }

  /** Stops every pending timer without telling the server. */
  dispose(): void {
    for (const { idle } of this.started.values()) clearTimeout(idle);
    this.started.clear();
  }
}

/** Tells the others the user started or stopped typing: over the socket when it is up, else over REST. */
export async function sendTyping(connection: RealtimeConnection, requests: RequestManager, channelId: string, typing: boolean, parentId: string | undefined): Promise<void> {
  const data = { typing, ...(parentId ? { parentId } : {}) };
  try {
    if (connection.connected) await connection.rpc('typing', { channel: channelId, ...data });
    else await requests.request<undefined>(`/api/channels/${seg(channelId)}/typing`, { body: data });
  } catch {
    // Typing is of the moment: a lost indicator is not worth an error.
  }
}
