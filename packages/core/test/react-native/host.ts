import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { TokenPair } from '@chatsdk/core';
import type { App } from './app.js';
import type { FromChild, Runtime, ToChild } from './child.js';
import type { Profile } from './globals.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const here = (file: string) => join(root, 'packages/core/test/react-native', file);

/** Types stripped as the test runner would, so the sandbox's files stay TypeScript that `tsc` checks. */
function transpile(file: string): string {
  return ts.transpileModule(readFileSync(here(file), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
}

let built: string | undefined;
/** The app process's own files, compiled once per test process into a directory of their own. */
function childEntry(): string {
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), 'chatsdk-react-native-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
  for (const file of ['child', 'globals', 'modules']) writeFileSync(join(dir, `${file}.js`), transpile(`${file}.ts`));
  built = join(dir, 'child.js');
  return built;
}

/** The React Native app in its own process, driven by the test. */
export interface ReactNativeApp {
  /** Calls one of the app's functions (app.ts) inside the sandbox. */
  app<K extends keyof App>(op: K, ...args: Parameters<App[K]>): Promise<Awaited<ReturnType<App[K]>>>;
  /** Switches or reads the device (the network), or probes its realm. */
  runtime<K extends keyof Runtime>(op: K, ...args: Parameters<Runtime[K]>): Promise<Awaited<ReturnType<Runtime[K]>>>;
  /** Uncaught exceptions and unhandled rejections inside the app (React Native's red and yellow boxes). */
  readonly crashes: string[];
  /** Ends the app's process at once, as the OS kills an app: nothing is flushed, nothing is closed. */
  kill(): Promise<void>;
}

/** Starts the app in a React Native realm; `chatToken` is its backend's token endpoint; `saved` is AsyncStorage from an earlier run. */
export async function startReactNativeApp(options: { profile?: Profile; chatToken: () => Promise<TokenPair>; saved?: Record<string, string> }): Promise<ReactNativeApp> {
  const child: ChildProcess = fork(childEntry(), [], {
    execArgv: ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const crashes: string[] = [];
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextCall = 0;
  const post = (message: ToChild) => child.send(message);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    for (const call of pending.values()) call.reject(new Error('the app process exited'));
    pending.clear();
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (message: FromChild) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'crash') {
        crashes.push(message.error);
        reject(new Error(message.error));
      } else if (message.type === 'chat-token') {
        options.chatToken().then(
          (pair) => post({ type: 'chat-token', id: message.id, pair }),
          (error: unknown) => post({ type: 'chat-token', id: message.id, error: error instanceof Error ? error.message : String(error) }),
        );
      } else {
        const call = pending.get(message.id);
        pending.delete(message.id);
        if (message.type === 'result') call?.resolve(message.value);
        else call?.reject(new Error(message.error));
      }
    });
    void exited.then(() => reject(new Error('the app process exited before it was ready')));
  });
  const invoke = (target: 'app' | 'runtime', op: string, args: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++nextCall;
      pending.set(id, { resolve, reject });
      post({ type: 'call', id, target, op, args });
    });
  post({ type: 'start', profile: options.profile ?? 'bare', root, app: transpile('app.ts'), saved: options.saved ?? {} });
  await ready;
  return {
    app: (op, ...args) => invoke('app', op, args) as never,
    runtime: (op, ...args) => invoke('runtime', op, args) as never,
    crashes,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
