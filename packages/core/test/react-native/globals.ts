import { createRequire } from 'node:module';
import { join } from 'node:path';
import vm from 'node:vm';
import type NodeWebSocket from 'ws';

/**
 * Which React Native the sandbox is. Both lack `document`, `localStorage`, `indexedDB`, `Buffer`,
 * `TextDecoder` (Hermes has none), `crypto`, `structuredClone`, `EventSource` and streams.
 */
export type Profile =
  /** The least any React Native gives: no `atob` or `TextEncoder` (before 0.74), and none of the names RN's own set-up adds. */
  | 'bare'
  /** As React Native 0.74+ sets up its global: `window`, `self` and `global` are the global object, `navigator.product`, `process.env.NODE_ENV`, `atob`, `btoa`, `TextEncoder`, `queueMicrotask`. */
  | 'react-native';

/** Names that only Node or browsers have, or that React Native has only lately; none is reachable in the 'bare' profile. */
export const ABSENT = ['window', 'self', 'global', 'document', 'navigator', 'localStorage', 'sessionStorage', 'indexedDB', 'Buffer', 'process', 'require', 'module', 'exports', '__dirname', 'TextEncoder', 'TextDecoder', 'atob', 'btoa', 'crypto', 'structuredClone', 'queueMicrotask', 'EventSource', 'ReadableStream', 'EventTarget', 'Event', 'MessageChannel', 'BroadcastChannel', 'WebAssembly'];

/** The sandbox's WebSockets send it, so that the test server can tell them from the test's own. */
export const SANDBOX_USER_AGENT = 'react-native-sandbox';

/** The device's network, as the test switches and counts it. */
export class Network {
  online = true;
  socketsOpened = 0;
  requests = 0;
  readonly sockets = new Set<NodeWebSocket>();

  /** Airplane mode: open sockets die, new ones and requests fail. */
  setOnline(online: boolean): void {
    this.online = online;
    if (!online) for (const socket of this.sockets) socket.terminate();
  }
}

/** The intrinsics of the sandbox's own realm, so that what the shims hand the app is of the app's realm, as on a device. */
interface Realm {
  TypeError: TypeErrorConstructor;
  Error: ErrorConstructor;
  JSON: JSON;
  Uint8Array: Uint8ArrayConstructor;
}

type Listener = (event: Record<string, unknown>) => void;

/** whatwg-fetch's Response, as React Native has it: the whole body read first (XHR underneath), no streams. */
function reactNativeResponse(response: Response, text: string, realm: Realm) {
  let used = false;
  const read = () => {
    if (used) return Promise.reject(new realm.TypeError('Already read'));
    used = true;
    return Promise.resolve(text);
  };
  return {
    type: 'default',
    status: response.status,
    ok: response.ok,
    statusText: response.statusText,
    url: response.url,
    headers: {
      get: (name: string) => response.headers.get(name),
      has: (name: string) => response.headers.has(name),
      forEach: (callback: (value: string, name: string) => void) => response.headers.forEach((value, name) => callback(value, name)),
    },
    get bodyUsed() {
      return used;
    },
    text: read,
    json: async () => realm.JSON.parse(await read()) as unknown,
  };
}

/** React Native's `fetch` over Node's: failures are `TypeError('Network request failed')`, as RN rejects. */
function reactNativeFetch(network: Network, realm: Realm) {
  return async (input: unknown, init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {}) => {
    network.requests++;
    if (typeof input !== 'string') throw new realm.TypeError('the sandbox fetch takes a URL string');
    if (!network.online) throw new realm.TypeError('Network request failed');
    try {
      const response = await fetch(input, { method: init.method ?? 'GET', headers: init.headers ?? {}, body: init.body ?? null, signal: init.signal ?? null });
      return reactNativeResponse(response, await response.text(), realm);
    } catch (cause) {
      if (init.signal?.aborted) throw Object.assign(new realm.Error('Aborted'), { name: 'AbortError' });
      throw new realm.TypeError(`Network request failed (${String(cause)})`);
    }
  };
}

/** React Native's WebSocket: the WHATWG surface only (no `ws` methods), each frame an event of its own. */
function reactNativeWebSocket(network: Network, WebSocketImpl: typeof NodeWebSocket, realm: Realm) {
  return class WebSocket {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;
    onopen: Listener | null = null;
    onmessage: Listener | null = null;
    onerror: Listener | null = null;
    onclose: Listener | null = null;
    binaryType: 'blob' | 'arraybuffer' = 'blob';
    readonly url: string;
    readonly #socket: NodeWebSocket;
    readonly #listeners = new Map<string, Set<Listener>>();

    constructor(url: string, protocols?: string | string[]) {
      network.socketsOpened++;
      this.url = url;
      // Offline, the socket goes to a port nobody listens on: it fails as an unreachable host does.
      this.#socket = new WebSocketImpl(network.online ? url : 'ws://127.0.0.1:9/ws', protocols, {
        allowSynchronousEvents: false,
        headers: { 'user-agent': SANDBOX_USER_AGENT },
      });
      network.sockets.add(this.#socket);
      this.#socket.on('open', () => this.#emit('open', {}));
      this.#socket.on('message', (data, isBinary) => {
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        this.#emit('message', { data: isBinary ? new realm.Uint8Array(bytes).buffer : bytes.toString('utf8') });
      });
      this.#socket.on('error', (error) => this.#emit('error', { message: error.message }));
      this.#socket.on('close', (code, reason) => {
        network.sockets.delete(this.#socket);
        this.#emit('close', { code, reason: reason.toString('utf8') });
      });
    }

    get readyState(): number {
      return this.#socket.readyState;
    }

    get protocol(): string {
      return this.#socket.protocol;
    }

    get bufferedAmount(): number {
      return this.#socket.bufferedAmount;
    }

    send(data: string | ArrayBuffer): void {
      this.#socket.send(data);
    }

    close(code?: number, reason?: string): void {
      this.#socket.close(code, reason);
    }

    addEventListener(type: string, listener: Listener): void {
      let set = this.#listeners.get(type);
      if (!set) this.#listeners.set(type, (set = new Set()));
      set.add(listener);
    }

    removeEventListener(type: string, listener: Listener): void {
      this.#listeners.get(type)?.delete(listener);
    }

    #emit(type: 'open' | 'message' | 'error' | 'close', fields: Record<string, unknown>): void {
      const event = { type, target: this, ...fields };
      this[`on${type}`]?.(event);
      for (const listener of [...(this.#listeners.get(type) ?? [])]) listener(event);
    }
  };
}

/** React Native's timers hand out numbers, not Node's Timeout objects (no `unref`). */
function reactNativeTimers() {
  let last = 0;
  const live = new Map<number, ReturnType<typeof setTimeout>>();
  const start =
    (repeat: boolean) =>
    (callback: (...args: unknown[]) => void, ms = 0, ...args: unknown[]): number => {
      const id = ++last;
      const run = () => {
        if (!repeat) live.delete(id);
        callback(...args);
      };
      live.set(id, repeat ? setInterval(run, ms) : setTimeout(run, ms));
      return id;
    };
  const stop = (id?: number) => {
    const timer = id === undefined ? undefined : live.get(id);
    if (timer === undefined || id === undefined) return;
    clearTimeout(timer);
    live.delete(id);
  };
  return {
    setTimeout: start(false),
    setInterval: start(true),
    clearTimeout: stop,
    clearInterval: stop,
    setImmediate: (callback: () => void) => start(false)(callback, 0),
    clearImmediate: stop,
    requestAnimationFrame: (callback: (now: number) => void) => start(false)(() => callback(Date.now()), 16),
    cancelAnimationFrame: stop,
  };
}

/** React Native's own URL (Libraries/Blob/URL.js): it builds and prints a URL; every part of one is "not implemented". */
class ReactNativeURL {
  readonly #href: string;

  constructor(url: string, base?: string) {
    this.#href = base === undefined ? url : `${base.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
  }

  get href(): string {
    return this.#href;
  }

  toString(): string {
    return this.#href;
  }

  toJSON(): string {
    return this.#href;
  }
}
for (const part of ['hash', 'host', 'hostname', 'origin', 'password', 'pathname', 'port', 'protocol', 'search', 'searchParams', 'username']) {
  Object.defineProperty(ReactNativeURL.prototype, part, {
    get() {
      throw new Error(`URL.${part} is not implemented`);
    },
  });
}

/** React Native's URLSearchParams: `append` and `toString`; the rest is "not implemented". */
class ReactNativeURLSearchParams {
  readonly #params: Array<[string, string]> = [];

  append(key: string, value: string): void {
    this.#params.push([key, value]);
  }

  toString(): string {
    return this.#params.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&');
  }
}
for (const method of ['delete', 'get', 'getAll', 'has', 'set', 'sort', 'forEach', 'keys', 'values', 'entries']) {
  Object.defineProperty(ReactNativeURLSearchParams.prototype, method, {
    value() {
      throw new Error(`URLSearchParams.${method} is not implemented`);
    },
  });
}

/**
 * A fresh realm with React Native's globals and nothing else: a vm context has only the language's
 * built-ins (no `process`, `Buffer`, `require`, timers or web APIs), to which this adds what RN provides
 * for a client's use. RN's XMLHttpRequest, FormData, Blob, Headers and performance are left out: the
 * client has no business with them, and one that reached for them would fail here first.
 */
export function reactNativeContext(profile: Profile, network: Network, root: string): vm.Context {
  const context = vm.createContext({}, { name: `react-native (${profile})`, codeGeneration: { strings: true, wasm: false } });
  // V8 gives every context these; Hermes has none of them.
  vm.runInContext('delete globalThis.WebAssembly; delete globalThis.SharedArrayBuffer; delete globalThis.Atomics;', context);
  const realm = vm.runInContext('({ TypeError, Error, JSON, Uint8Array })', context) as Realm;
  const WebSocketImpl = createRequire(join(root, 'package.json'))('ws') as typeof NodeWebSocket;
  const logged = (level: 'log' | 'info' | 'warn' | 'error' | 'debug') => (...args: unknown[]) => console[level]('[react-native]', ...args);
  Object.assign(context, {
    fetch: reactNativeFetch(network, realm),
    WebSocket: reactNativeWebSocket(network, WebSocketImpl, realm),
    ...reactNativeTimers(),
    AbortController,
    AbortSignal,
    URL: ReactNativeURL,
    URLSearchParams: ReactNativeURLSearchParams,
    console: { log: logged('log'), info: logged('info'), warn: logged('warn'), error: logged('error'), debug: logged('debug') },
  });
  if (profile === 'react-native') {
    Object.assign(context, { navigator: { product: 'ReactNative' }, process: { env: { NODE_ENV: 'production' } }, atob, btoa, TextEncoder, queueMicrotask });
    vm.runInContext('globalThis.window = globalThis; globalThis.self = globalThis; globalThis.global = globalThis;', context);
  }
  return context;
}
