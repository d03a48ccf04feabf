/** Asked again for one message no sooner than this: a URL that keeps failing is not worth a request per render. */
const MIN_INTERVAL_MS = 60_000;

/**
 * Re-reads messages whose attachment URLs failed (their signatures expire):
 * one request per message at a time, and at most one a minute per message.
 */
export class Refresher {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly last = new Map<string, number>();

  constructor(private readonly load: (messageId: string) => Promise<void>) {}

  /** Re-reads the message unless it is being, or was lately. */
  refresh(messageId: string): Promise<void> {
    const running = this.inFlight.get(messageId);
    if (running) return running;
    if (Date.now() - (this.last.get(messageId) ?? -Infinity) < MIN_INTERVAL_MS) return Promise.resolve();
    this.last.set(messageId, Date.now());
    const work = this.load(messageId).finally(() => this.inFlight.delete(messageId));
    this.inFlight.set(messageId, work);
    return work;
  }
}
