/** Receives the messages published to a topic. */
export type BusHandler = (message: string) => void;

/**
 * Fan-out of events between server processes. One process uses the memory
 * bus; several share Redis pub/sub. Messages are strings: an event is
 * serialised once and every process forwards the same text.
 */
export interface Bus {
  readonly kind: 'memory' | 'redis';
  /**
   * Delivers `message` to every subscriber of `topic`: those of this process
   * at once, before it returns, and those of other processes when the bus
   * carries it. When the bus is away, the others miss it (they read it from
   * the store when it is back: see `onRestored`) and the promise rejects.
   */
  publish(topic: string, message: string): Promise<void>;
  /**
   * Starts receiving `topic`: at once from this process, and from the others
   * once the bus subscription is live, which the promise waits for unless the
   * bus is away. Returns the function that stops it.
   */
  subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>>;
  /**
   * Calls `handler` each time the bus is back after being away: messages of
   * other processes published meanwhile were lost, and whoever relies on
   * them reads what it missed from the store. Returns the function that stops it.
   */
  onRestored(handler: () => void): () => void;
  /** Throws when the bus cannot carry messages. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
