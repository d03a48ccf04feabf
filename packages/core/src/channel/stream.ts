import type { RealtimeChannelEvent } from '@chatsdk/protocol';
import { backgroundTimer } from '../util.js';
import type { SubscribedInfo } from '../realtime/connection.js';

/** How long an event may wait for the one before it before the channel reloads. */
const GAP_WAIT_MS = 1500;

/**
 * Puts one channel's stream in order: every durable event is applied once,
 * by ascending offset. An event ahead of a missing one waits for it; a gap
 * that does not fill, or a subscribe answered `recovered: false`, reloads
 * the channel from REST, with the events that arrive meanwhile held and
 * applied after the reload.
 */
export class ChannelStream {
  private lastOffset: number | undefined;
  private readonly ahead = new Map<number, RealtimeChannelEvent>();
  private held: Array<{ event: RealtimeChannelEvent; offset: number }> | undefined;
  private gapTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly apply: (event: RealtimeChannelEvent) => void,
    /** Reloads the channel from REST; resolves to the stream offset the reloaded state includes. */
    private readonly reload: () => Promise<number>,
    private readonly onReloadError: (error: unknown) => void,
  ) {}

  /** The offset of the last applied event. */
  get offset(): number | undefined {
    return this.lastOffset;
  }

  /** The state in hand includes every event up to `offset`. */
  reset(offset: number | undefined): void {
    this.lastOffset = offset;
    this.ahead.clear();
    clearTimeout(this.gapTimer);
  }

  /** A publication of the channel's subscription. */
  publication(event: RealtimeChannelEvent, offset: number | undefined): void {
    if (offset === undefined) return this.apply(event); // transient: typing
    if (this.held) {
      this.held.push({ event, offset });
      return;
    }
    if (this.lastOffset !== undefined && offset <= this.lastOffset) return; // seen already
    if (this.lastOffset !== undefined && offset > this.lastOffset + 1) {
      this.ahead.set(offset, event);
      this.gapTimer ??= backgroundTimer(() => void this.resync(), GAP_WAIT_MS);
      return;
    }
    this.take(event, offset);
    for (let next = offset + 1; this.ahead.has(next); next++) {
      const waiting = this.ahead.get(next) as RealtimeChannelEvent;
      this.ahead.delete(next);
      this.take(waiting, next);
    }
    if (this.ahead.size === 0) {
      clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
    }
  }

  /** The subscription is (again) live. */
  subscribed(info: SubscribedInfo): void {
    if (info.wasRecovering && !info.recovered) void this.resync();
    else if (this.lastOffset === undefined && info.offset !== undefined) this.lastOffset = info.offset;
  }

  /** Reloads from REST and applies, in order, whatever arrived meanwhile past the reloaded state. */
  async resync(): Promise<void> {
    if (this.held) return;
    clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
    const held: Array<{ event: RealtimeChannelEvent; offset: number }> = [...this.ahead].map(([offset, event]) => ({ event, offset }));
    this.ahead.clear();
    this.held = held;
    try {
      this.lastOffset = await this.reload();
    } catch (error) {
      this.onReloadError(error);
    } finally {
      this.held = undefined;
      for (const { event, offset } of held.sort((a, b) => a.offset - b.offset)) this.publication(event, offset);
    }
  }

  /** Stops waiting for anything. */
  dispose(): void {
    clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
    this.ahead.clear();
  }

  private take(event: RealtimeChannelEvent, offset: number): void {
    this.lastOffset = offset;
    this.apply(event);
  }
}
