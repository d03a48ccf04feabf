import type { ChannelEvent } from '@chatsdk/protocol';
import type { Publication } from './framing.js';
import type { Delivery, TransientDelivery } from './hub.js';

/**
 * One channel subscription of one connection. Until its subscribe reply is
 * written, live events wait here; after it, only offsets past the position
 * the reply gave go out, so recovery and live delivery meet without a gap or
 * a duplicate.
 */
export class ChannelSubscription {
  /** The offset the client holds; undefined until the subscribe reply. */
  private position: number | undefined;
  private waiting: Delivery[] = [];

  constructor(
    readonly channelId: string,
    private readonly write: (publication: Publication) => void,
    private readonly onEvent: (event: ChannelEvent) => void,
  ) {}

  /** The hub's listener. */
  readonly listener = (delivery: Delivery | TransientDelivery): void => {
    if (delivery.offset === undefined) {
      // Transient events are of the moment: before the subscription is live they are simply not for it.
      if (this.position !== undefined) this.write(delivery);
      return;
    }
    if (this.position === undefined) {
      this.waiting.push(delivery);
      return;
    }
    this.forward(delivery);
  };

  /** Called once the subscribe reply (with `offset`) is written: releases what waited. */
  start(offset: number): void {
    this.position = offset;
    const waiting = this.waiting;
    this.waiting = [];
    for (const delivery of waiting) this.forward(delivery);
  }

  private forward(delivery: Delivery): void {
    if (this.position === undefined || delivery.offset <= this.position) return;
    this.position = delivery.offset;
    this.write(delivery);
    this.onEvent(delivery.event);
  }
}
