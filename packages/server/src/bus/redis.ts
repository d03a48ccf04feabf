import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Bus } from './bus.js';
import { LocalTopics } from './local-topics.js';

/** Length of the origin tag that starts every message on Redis. */
const ORIGIN_LENGTH = 16;
/** How long a command waits for the first connection of the process. */
const FIRST_CONNECT_WAIT_MS = 2000;

/** Resolves when `client` is ready, or rejects after `ms`. */
function untilReady(client: Redis, ms: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off('ready', done);
      reject(new Error('Redis is not reachable'));
    }, ms);
    client.on('ready', done);
  });
}

/** A wait for `client`'s first connection, bounded; once it has been ready, the wait is over for good. */
function firstConnection(client: Redis): () => Promise<void> {
  let everReady = false;
  client.once('ready', () => (everReady = true));
  return () => (everReady ? Promise.resolve() : untilReady(client, FIRST_CONNECT_WAIT_MS));
}

/**
 * Redis pub/sub. A connection in subscriber mode can do nothing else, so
 * publishing and subscribing use one connection each.
 *
 * A process delivers its own messages to its own subscribers directly and
 * sends them to Redis for the others, tagged with its origin so that it skips
 * them when Redis hands them back. So while Redis is away, local sockets
 * still get every event, and publishing fails at once instead of queueing
 * (a send has committed and must not wait for the bus); the other processes
 * read what they missed from the store when the bus is back (`onRestored`).
 */
export function createRedisBus(url: string, prefix = 'chatsdk:'): Bus {
  const origin = randomBytes(ORIGIN_LENGTH / 2).toString('hex');
  const publisher = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  // The subscriber queues its SUBSCRIBEs while away and ioredis subscribes again to every topic on reconnect.
  const subscriber = new Redis(url, { enableOfflineQueue: true });
  // ioredis reconnects by itself; without listeners a lost connection would be an unhandled 'error' event.
  publisher.on('error', () => {});
  subscriber.on('error', () => {});

  const local = new LocalTopics();
  subscriber.on('message', (channel: string, tagged: string) => {
    if (tagged.startsWith(origin)) return;
    local.deliver(channel.slice(prefix.length), tagged.slice(ORIGIN_LENGTH));
  });

  // Until a connection has been ready once, commands wait a little for it (the process is starting);
  // after that, a lost connection fails them at once.
  const publisherReady = firstConnection(publisher);
  const subscriberReady = firstConnection(subscriber);

  const restored = new Set<() => void>();
  let away = false;
  subscriber.on('close', () => (away = true));
  subscriber.on('ready', () => {
    if (!away) return;
    away = false;
    for (const handler of restored) handler();
  });

  return {
    kind: 'redis',
    async publish(topic, message) {
      local.deliver(topic, message);
      await publisherReady();
      await publisher.publish(prefix + topic, origin + message);
    },
    async subscribe(topic, handler) {
      if (local.add(topic, handler)) {
        const subscribed = subscriber.subscribe(prefix + topic);
        subscribed.catch(() => {});
        await subscriberReady().catch(() => {});
        // Away: local events flow already, and the SUBSCRIBE goes out on reconnect; do not hold the caller.
        if (subscriber.status === 'ready') await subscribed;
      }
      return async () => {
        if (!local.remove(topic, handler)) return;
        const unsubscribed = subscriber.unsubscribe(prefix + topic);
        if (subscriber.status === 'ready') await unsubscribed;
        else unsubscribed.catch(() => {});
      };
    },
    onRestored(handler) {
      restored.add(handler);
      return () => restored.delete(handler);
    },
    async ping() {
      await publisherReady();
      await publisher.ping();
    },
    async close() {
      local.clear();
      restored.clear();
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}
