import type { CreateTokenResponse } from '@chatsdk/protocol';
import WebSocket from 'ws';
import { ChatClient, type ChatClientOptions, type ReadableStore } from '../src/index.js';
import { call, issueTokens } from '../../server/test/helpers/http.js';
import { TaskPerMessageWebSocket } from '../../server/test/helpers/realtime.js';
import type { GatewayOptions } from '../../server/src/realtime/gateway.js';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.js';

/** A real server over a fresh SQLite store, with one app. */
export interface Harness {
  t: TestServer;
  apiKey: string;
  /** A pair of tokens for an existing user that expired a minute ago. */
  expiredTokens(userId: string): { token: string; wsToken: string };
  /** Refuses every token of the user issued before now (`POST /api/users/:id/revoke-tokens`). */
  revoke(userId: string): Promise<void>;
  /** `POST /tokens` for a user (created on first use). */
  tokens(userId: string, expiresIn?: number): Promise<CreateTokenResponse>;
  /** A client of `userId` with fresh tokens (not connected). */
  client(userId: string, options?: Partial<ChatClientOptions>): Promise<ChatClient>;
  close(): Promise<void>;
}

/** A harness over a server of the caller's (`startUploadServer(...)` for files), or a plain one on SQLite. */
export async function startHarness(realtime?: GatewayOptions, server?: TestServer): Promise<Harness> {
  const t = server ?? (await startTestServer('sqlite', realtime ? { realtime } : {}));
  const { app, apiKey } = await t.createApp();
  const clients: ChatClient[] = [];
  const tokens = (userId: string, expiresIn?: number) => issueTokens(t.baseUrl, apiKey, { userId, ...(expiresIn ? { expiresIn } : {}) });
  return {
    t,
    apiKey,
    tokens,
    expiredTokens(userId) {
      const { token, wsToken } = t.server.context.tokens.issue(app, userId, 60, Date.now() - 120_000);
      return { token, wsToken };
    },
    async revoke(userId) {
      const reply = await call(t.baseUrl, `/api/users/${userId}/revoke-tokens`, { method: 'POST', apiKey });
      if (reply.status !== 200) throw new Error(`revoke answered ${reply.status}`);
      // Tokens carry their issue time in ms: the next ones must be issued after this instant.
      await new Promise((resolve) => setTimeout(resolve, 2));
    },
    async client(userId, options = {}) {
      const { token, wsToken } = await tokens(userId);
      const client = new ChatClient({ apiUrl: t.baseUrl, token, wsToken, WebSocket: TaskPerMessageWebSocket, ...options });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) await client.disconnect();
      await t.close();
    },
  };
}

/** Resolves once `check` passes (it may throw until then), or rejects with its last failure after `ms`. */
export async function until<T>(check: () => T | Promise<T>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    try {
      const value = await check();
      if (value !== false && value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`condition still false after ${ms} ms`);
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Resolves with the store's snapshot once `match` accepts one. */
export function snapshotWhere<T>(store: ReadableStore<T>, match: (value: T) => boolean, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const value = store.getSnapshot();
      if (!match(value)) return false;
      stop();
      clearTimeout(timer);
      resolve(value);
      return true;
    };
    const stop = store.subscribe(check);
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no matching snapshot within ${ms} ms; last: ${JSON.stringify(store.getSnapshot()).slice(0, 500)}`));
    }, ms);
    check();
  });
}

/**
 * A switchable network for one client: `fetch` and `WebSocket` that work
 * while online, and while offline fail as a dead network does (fetch
 * rejects, sockets are cut and new ones cannot connect).
 */
export function network() {
  let online = true;
  const sockets = new Set<WebSocket>();
  class SwitchedWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      // Offline, the socket goes to a port nobody listens on: it fails as an unreachable host does.
      super(online ? url : 'ws://127.0.0.1:9/ws', protocols, { allowSynchronousEvents: false });
      sockets.add(this);
      this.on('close', () => sockets.delete(this));
    }
  }
  return {
    WebSocket: SwitchedWebSocket,
    fetch: (input: string, init: RequestInit) => (online ? fetch(input, init) : Promise.reject(new TypeError('fetch failed'))),
    /** Drops every open socket, as a network change does. */
    cut() {
      for (const socket of sockets) socket.terminate();
    },
    offline() {
      online = false;
      this.cut();
    },
    online() {
      online = true;
    },
  };
}
