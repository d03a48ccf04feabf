import { personalChannel, type UserEvent } from '@chatsdk/protocol';
import { Centrifuge, type PublicationContext, type Subscription } from 'centrifuge';
import WebSocket from 'ws';
import type { TestServer } from './server.js';

/** A real `centrifuge` client (the npm package) on Node's `ws` (one message per task), pointed at a test server's `/ws`. */
export function realtimeClient(t: TestServer, token: string, options: { getToken?: () => Promise<string> } = {}): Centrifuge {
  return realtimeClientAt(t.baseUrl, token, options);
}

/** A WebSocket class as the centrifuge client constructs it: `new websocket(url, subProtocol?)`. */
export type WebSocketClass = new (address: string | URL, protocols?: string | string[]) => WebSocket;

/**
 * The same client, pointed at the `/ws` of any server by its base URL (`http://host:port`), such as a
 * `chatsdk start` child process; `websocket` replaces `ws`'s WebSocket class (see `TaskPerMessageWebSocket`).
 */
export function realtimeClientAt(
  baseUrl: string,
  token: string,
  options: { getToken?: () => Promise<string>; websocket?: WebSocketClass } = {},
): Centrifuge {
  const url = `${baseUrl.replace('http', 'ws')}/ws`;
  return new Centrifuge(url, {
    // As browsers do: see TaskPerMessageWebSocket. Node apps using the centrifuge client need the same.
    websocket: options.websocket ?? TaskPerMessageWebSocket,
    token,
    ...(options.getToken ? { getToken: options.getToken } : {}),
    minReconnectDelay: 50,
    maxReconnectDelay: 200,
  });
}

/**
 * `ws` that emits each received message in a task of its own, as browsers do. By default `ws` emits
 * every message of one TCP read synchronously, and the `centrifuge` client (5.7.x, `_dataReceived`)
 * then starts dispatching the second frame before it has finished the first one's replies: under a
 * burst, publications that were on the wire in offset order reach the app interleaved.
 */
export class TaskPerMessageWebSocket extends WebSocket {
  constructor(address: string | URL, protocols?: string | string[]) {
    super(address, protocols, { allowSynchronousEvents: false });
  }
}

/** A `TaskPerMessageWebSocket` class that also appends every text frame it receives to `frames`, as it came off the wire. */
export function recordingWebSocket(frames: string[]): WebSocketClass {
  return class RecordingWebSocket extends TaskPerMessageWebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols);
      this.on('message', (data, isBinary) => {
        if (!isBinary) frames.push(data.toString());
      });
    }
  };
}

/** Resolves on the next occurrence of an event, or rejects after `ms`. */
export function next<T>(emitter: { once(event: string, listener: (ctx: T) => void): unknown }, event: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" within ${ms} ms`)), ms);
    emitter.once(event, (ctx: T) => {
      clearTimeout(timer);
      resolve(ctx);
    });
  });
}

/** Collects a subscription's publications, with a way to wait for a count. */
export function collect(sub: Subscription): { items: PublicationContext[]; until(count: number, ms?: number): Promise<PublicationContext[]> } {
  const items: PublicationContext[] = [];
  const waiters: Array<() => void> = [];
  sub.on('publication', (ctx) => {
    items.push(ctx);
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    items,
    async until(count, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (items.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`got ${items.length} of ${count} publications`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return items;
    },
  };
}

/** What a client's personal stream delivered, with a way to wait for an event. */
export interface PersonalEvents {
  items: UserEvent[];
  /** Resolves with the first event (already received or still to come) that matches, or rejects after `ms`. */
  until(match: (event: UserEvent) => boolean, ms?: number): Promise<UserEvent>;
}

/** Collects the events of the server-side personal stream (`#<userId>`) that `client` receives. */
export function personalEvents(client: Centrifuge, userId: string): PersonalEvents {
  const items: UserEvent[] = [];
  const waiters = new Set<() => void>();
  client.on('publication', (ctx) => {
    if (ctx.channel !== personalChannel(userId)) return;
    items.push(ctx.data as UserEvent);
    for (const wake of waiters) wake();
  });
  return {
    items,
    until(match, ms = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = items.find(match);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching personal event within ${ms} ms; got ${JSON.stringify(items.map((e) => e.type))}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
  };
}

/** A connected real client of `userId` (its handle added to `clients`, for closing), with its personal events collected from the start. */
export async function connectWithPersonal(t: TestServer, wsToken: string, userId: string, clients: Centrifuge[]) {
  const client = realtimeClient(t, wsToken);
  clients.push(client);
  const personal = personalEvents(client, userId);
  const subscribed = next<{ channel: string; recoverable: boolean }>(client, 'subscribed');
  client.connect();
  await next(client, 'connected');
  return { client, personal, serverSide: await subscribed };
}
