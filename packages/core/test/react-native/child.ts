/**
 * The React Native app's process (run by host.ts with `--experimental-vm-modules`): the built
 * `@chatsdk/core`, `centrifuge` and the app run in a vm realm holding React Native's globals only, and
 * the test drives the app over IPC. Nothing of Node is reachable from inside: not its globals (the
 * realm never had them), not its modules (the loader resolves only files and npm packages).
 */
import { join } from 'node:path';
import type { TokenPair } from '@chatsdk/core';
import type { App, Backend } from './app.js';
import { ABSENT, Network, type Profile, reactNativeContext } from './globals.js';
import { loadModule } from './modules.js';

/** What the test sends the app's process. */
export type ToChild =
  | { type: 'start'; profile: Profile; root: string; app: string; saved: Record<string, string> }
  | { type: 'call'; id: number; target: 'app' | 'runtime'; op: string; args: unknown[] }
  | { type: 'chat-token'; id: number; pair?: TokenPair; error?: string };

/** What the app's process sends the test. */
export type FromChild =
  | { type: 'ready' }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'failure'; id: number; error: string }
  | { type: 'chat-token'; id: number }
  | { type: 'crash'; error: string };

/** Run in a fresh realm of the app's profile: which names it holds, and what touching `Buffer` there does. */
const PROBE = `
  export const absent = ${JSON.stringify(ABSENT)}.filter((name) => !(name in globalThis));
  export const present = ['fetch', 'WebSocket', 'setTimeout', 'clearTimeout', 'setInterval', 'AbortController', 'URL', 'console', 'window', 'process', 'TextEncoder', 'atob'].filter((name) => name in globalThis);
  export let touchedBuffer = 'no error';
  try { Buffer.from('x'); } catch (error) { touchedBuffer = error.name + ': ' + error.message; }
  export const windowIsGlobal = typeof window === 'object' && window === globalThis;
  export const timerHandle = typeof setTimeout(() => undefined, 0);
`;

const send = (message: FromChild) => process.send?.(message);

/** An error of either realm (the sandbox's errors are not `instanceof` this realm's Error): its name, code and message. */
function describe(error: unknown, withStack = false): string {
  const { name, code, message, stack } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; code?: unknown; message?: unknown; stack?: unknown };
  if (typeof message !== 'string') return String(error);
  if (withStack && typeof stack === 'string') return stack;
  return `${String(name ?? 'Error')}${typeof code === 'string' ? ` (${code})` : ''}: ${message}`;
}

const crash = (error: unknown) => send({ type: 'crash', error: describe(error, true) });
// In a device these are a red box (uncaught) and a yellow box (unhandled rejection): both fail the test.
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

const waiting = new Map<number, { resolve(pair: TokenPair): void; reject(error: Error): void }>();
let nextTokenRequest = 0;
const backend: Backend = {
  chatToken: () =>
    new Promise((resolve, reject) => {
      const id = ++nextTokenRequest;
      waiting.set(id, { resolve, reject });
      send({ type: 'chat-token', id });
    }),
};

let app: App | undefined;
let runtime: Runtime | undefined;

/** The device's functions, as the test calls them. */
export type Runtime = ReturnType<typeof runtimeOps>;

function runtimeOps(start: Extract<ToChild, { type: 'start' }>, network: Network) {
  return {
    /** Airplane mode on (false) or off. */
    network(online: boolean): void {
      network.setOnline(online);
    },
    stats(): { socketsOpened: number; requests: number } {
      return { socketsOpened: network.socketsOpened, requests: network.requests };
    },
    /** What the realm holds, and what touching or importing Node there does. */
    async probe(): Promise<Record<string, unknown>> {
      const context = reactNativeContext(start.profile, new Network(), start.root);
      const path = join(start.root, 'packages/core/test/react-native/probe.js');
      const probe = await loadModule(context, PROBE, path);
      const importNode = await loadModule(context, "import 'node:buffer';", path).then(
        () => 'imported',
        (error: unknown) => String(error),
      );
      return { ...(probe.namespace as Record<string, unknown>), importNode };
    },
  };
}

async function start(message: Extract<ToChild, { type: 'start' }>): Promise<void> {
  const network = new Network();
  const context = reactNativeContext(message.profile, network, message.root);
  // The app stands where its source is, so that `@chatsdk/core` resolves to the built package.
  const module = await loadModule(context, message.app, join(message.root, 'packages/core/test/react-native/app.js'));
  const { createApp } = module.namespace as { createApp: (backend: Backend, saved: Record<string, string>) => App };
  app = createApp(backend, message.saved);
  runtime = runtimeOps(message, network);
  send({ type: 'ready' });
}

async function call(message: Extract<ToChild, { type: 'call' }>): Promise<void> {
  try {
    const target = (message.target === 'app' ? app : runtime) as Record<string, (...args: unknown[]) => unknown> | undefined;
    const op = target?.[message.op];
    if (!op) throw new Error(`no ${message.target} op ${message.op}`);
    send({ type: 'result', id: message.id, value: (await op(...message.args)) ?? null });
  } catch (error) {
    send({ type: 'failure', id: message.id, error: describe(error) });
  }
}

process.on('message', (message: ToChild) => {
  if (message.type === 'start') start(message).catch((error: unknown) => (crash(error), process.exit(1)));
  else if (message.type === 'call') void call(message);
  else {
    const request = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.pair) request?.resolve(message.pair);
    else request?.reject(new Error(message.error ?? 'no tokens'));
  }
});
