/**
 * A React Native app's chat code. It runs inside the sandbox (child.ts), so it may use only what React
 * Native has: no Node, no DOM. The test drives it through the functions `createApp` answers.
 */
import { type AsyncKeyValueStore, ChatClient, keyValueStorage, type ReadableStore, type TokenPair } from '@chatsdk/core';

/** The app's own backend: after its login, it asks ChatSDK for the user's tokens (`POST /tokens`). */
export interface Backend {
  chatToken(): Promise<TokenPair>;
}

/** AsyncStorage's shape over a Map: async, each call a task of its own as over the native bridge, strings only. */
function memoryAsyncStorage(saved: Record<string, string>): AsyncKeyValueStore & { contents(): Record<string, string>; writes: number } {
  const values = new Map(Object.entries(saved));
  let writes = 0;
  const bridge = () => new Promise((resolve) => setTimeout(resolve, 1));
  return {
    async getItem(key) {
      await bridge();
      return values.get(key) ?? null;
    },
    async setItem(key, value) {
      await bridge();
      if (typeof value !== 'string') throw new TypeError(`[AsyncStorage] the value for key ${key} is not a string`);
      writes++;
      values.set(key, value);
    },
    async removeItem(key) {
      await bridge();
      values.delete(key);
    },
    async multiGet(keys) {
      await bridge();
      return keys.map((key) => [key, values.get(key) ?? null] as const);
    },
    async multiRemove(keys) {
      await bridge();
      for (const key of keys) values.delete(key);
    },
    contents: () => Object.fromEntries(values),
    get writes() {
      return writes;
    },
  };
}

function until<T>(store: ReadableStore<T>, match: (value: T) => boolean, what: string, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const value = store.getSnapshot();
      if (!match(value)) return;
      stop();
      clearTimeout(timer);
      resolve(value);
    };
    const stop = store.subscribe(check);
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${what}: not within ${ms} ms`));
    }, ms);
    check();
  });
}

/** The app, over the AsyncStorage contents `saved` from an earlier run. */
export function createApp(backend: Backend, saved: Record<string, string>) {
  const asyncStorage = memoryAsyncStorage(saved);
  const unauthorized: string[] = [];
  const failures: string[] = [];
  let connects = 0;
  let client: ChatClient | undefined;
  const chat = () => {
    if (!client) throw new Error('start() first');
    return client;
  };
  const messages = (channelId: string) => chat().channel(channelId).messages;
  return {
    /** Opens the user's session as the app does after its login; the outbox lives in AsyncStorage. */
    async start(apiUrl: string, tokens: TokenPair): Promise<{ fromToken: string | undefined; userId: string | undefined }> {
      const started = new ChatClient({
        apiUrl,
        token: tokens.token,
        wsToken: tokens.wsToken,
        storage: keyValueStorage(asyncStorage),
        tokenProvider: () => backend.chatToken(),
      });
      client = started;
      // Read from the token's claims before any request: base64url without `atob`.
      const fromToken = started.userId;
      started.on('unauthorized', (ctx) => unauthorized.push(ctx.reason));
      started.connection.subscribe(() => {
        if (started.connection.getSnapshot().status === 'connected') connects++;
      });
      await started.connect();
      return { fromToken, userId: started.userId };
    },
    async watch(channelId: string): Promise<string[]> {
      await chat().channel(channelId).watch();
      return messages(channelId).getSnapshot().messages.map((message) => message.text);
    },
    async send(channelId: string, text: string): Promise<{ id: string; status: string }> {
      const message = await chat().channel(channelId).sendMessage(text);
      return { id: message.id, status: message.status };
    },
    /** Starts a send without waiting for it (offline, it waits in the outbox); answers its id. */
    queue(channelId: string, text: string): { id: string } {
      const channel = chat().channel(channelId);
      channel.sendMessage(text).catch((error: unknown) => failures.push(String(error)));
      const shown = channel.messages.getSnapshot().messages.at(-1);
      if (!shown || shown.text !== text) throw new Error('the send did not show at once');
      return { id: shown.id };
    },
    async waitForMessage(channelId: string, text: string): Promise<{ id: string; userId: string | null; status: string; copies: number }> {
      const state = await until(messages(channelId), (s) => s.messages.some((m) => m.text === text && m.status === 'sent'), `message "${text}"`);
      const copies = state.messages.filter((m) => m.text === text);
      const found = copies[0] as (typeof copies)[number];
      return { id: found.id, userId: found.userId, status: found.status, copies: copies.length };
    },
    async waitForStatus(status: string): Promise<void> {
      await until(chat().connection, (s) => s.status === status, `connection ${status}`);
    },
    async waitForConnects(count: number): Promise<number> {
      await until(chat().connection, () => connects >= count, `${count} connects`);
      return connects;
    },
    /** What the app shows and has noticed. */
    state() {
      const pendingWrites = chat().pendingWrites.getSnapshot().length;
      return { status: chat().connection.getSnapshot().status, connects, pendingWrites, storageWrites: asyncStorage.writes, unauthorized, failures };
    },
    /** AsyncStorage's contents, as they would survive the app's process. */
    stored(): Record<string, string> {
      return asyncStorage.contents();
    },
    async me(): Promise<string> {
      return (await chat().users.me()).id;
    },
    async stop(): Promise<void> {
      await chat().disconnect();
    },
  };
}

/** The app's functions, as the test calls them. */
export type App = ReturnType<typeof createApp>;
