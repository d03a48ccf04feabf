/** Receives the messages published to a topic. */
export type BusHandler = (message: string) => void;

/**
 * Fan-out of events between server processes. One process uses the memory
 * bus; several share Redis pub/sub. Messages are strings: an event is
 * serialised once and every process forwards the same text.
 */
export interface Bus {
  readonly kind: 'memory' | 'redis';
  /** Delivers `message` to every subscriber of `topic`, in every process. */
  publish(topic: string, message: string): Promise<void>;
  /** Starts receiving `topic`; resolves once the subscription is live. Returns the function that stops it. */
  subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>>;
  /** Throws when the bus cannot carry messages. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
