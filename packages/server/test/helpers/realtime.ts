import { Centrifuge, type PublicationContext, type Subscription } from 'centrifuge';
import WebSocket from 'ws';
import type { TestServer } from './server.js';

/** A real `centrifuge` client (the npm package) on Node's `ws`, pointed at a test server's `/ws`. */
export function realtimeClient(t: TestServer, token: string, options: { getToken?: () => Promise<string> } = {}): Centrifuge {
  return realtimeClientAt(t.baseUrl, token, options);
}

/** The same client, pointed at the `/ws` of any server by its base URL (`http://host:port`), such as a `chatsdk start` child process. */
export function realtimeClientAt(baseUrl: string, token: string, options: { getToken?: () => Promise<string> } = {}): Centrifuge {
  const url = `${baseUrl.replace('http', 'ws')}/ws`;
  return new Centrifuge(url, { websocket: WebSocket, token, ...(options.getToken ? { getToken: options.getToken } : {}), minReconnectDelay: 50, maxReconnectDelay: 200 });
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
