import type { BusHandler } from './bus.js';

/** A process's own subscribers by topic: the memory bus is only this, the Redis bus delivers to it first. */
export class LocalTopics {
  private readonly topics = new Map<string, Set<BusHandler>>();

  /** Hands `message` to every local subscriber of `topic`, synchronously. */
  deliver(topic: string, message: string): void {
    const handlers = this.topics.get(topic);
    if (handlers) for (const handler of handlers) handler(message);
  }

  /** Adds a handler; answers whether it is the topic's first. */
  add(topic: string, handler: BusHandler): boolean {
    let handlers = this.topics.get(topic);
    const first = !handlers;
    if (!handlers) this.topics.set(topic, (handlers = new Set()));
    handlers.add(handler);
    return first;
  }

  /** Removes a handler; answers whether the topic has none left. */
  remove(topic: string, handler: BusHandler): boolean {
    const handlers = this.topics.get(topic);
    if (!handlers) return false;
    handlers.delete(handler);
    if (handlers.size > 0) return false;
    this.topics.delete(topic);
    return true;
  }

  clear(): void {
    this.topics.clear();
  }
}
