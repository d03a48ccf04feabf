import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI, as `npm start` and the `chatsdk` bin run it. */
export const CLI_PATH = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** Throws a message that says how to fix it when the CLI has not been built. */
export function assertCliBuilt(): void {
  if (!existsSync(CLI_PATH)) {
    throw new Error(`${CLI_PATH} is missing: build it first with \`npx tsc -b\` at the repository root (\`npm test\` does).`);
  }
}

/** What a finished CLI run left behind. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A `chatsdk start` that has printed its "listening on" line. */
export interface StartedCli {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** Everything printed on stdout so far (it keeps growing). */
  stdout(): string;
  stderr(): string;
  /** Sends `signal` and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
}

const LISTENING = /^ChatSDK \S+ listening on (http:\/\/[^\s:]+:(\d+)) \(/m;

/** Spawns the CLI and remembers the process so `killAll` can end it. */
export class CliRunner {
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly env: () => NodeJS.ProcessEnv) {}

  private spawn(args: string[], extraEnv: Record<string, string>): { child: ChildProcess; done: Promise<CliResult>; out: () => string; err: () => string } {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { env: { ...this.env(), ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const done = new Promise<CliResult>((resolve, reject) => {
      child.once('error', reject);
      // 'close' rather than 'exit': it comes after the pipes are drained.
      child.once('close', (code, signal) => {
        this.children.delete(child);
        resolve({ code, signal, stdout, stderr });
      });
    });
    return { child, done, out: () => stdout, err: () => stderr };
  }

  /** Runs `chatsdk ...args` to completion. */
  run(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
    return this.spawn(args, extraEnv).done;
  }

  /** Runs `chatsdk start` on a free port of 127.0.0.1 and waits until it listens. */
  start(extraEnv: Record<string, string> = {}, timeoutMs = 30_000): Promise<StartedCli> {
    return this.begin(extraEnv, timeoutMs).ready;
  }

  /**
   * Runs `chatsdk start` as `start` does, but answers at once: `ready` settles
   * when it listens, and `output` reads what it has printed so far (stdout and
   * stderr), for tests that act on what a start says while it waits.
   */
  begin(extraEnv: Record<string, string> = {}, timeoutMs = 30_000): { ready: Promise<StartedCli>; output: () => string } {
    const { child, done, out, err } = this.spawn(['start'], { PORT: '0', HOST: '127.0.0.1', ...extraEnv });
    return { ready: this.listening(child, done, out, err, timeoutMs), output: () => out() + err() };
  }

  private async listening(child: ChildProcess, done: Promise<CliResult>, out: () => string, err: () => string, timeoutMs: number): Promise<StartedCli> {
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => fail(`did not print "listening on" within ${timeoutMs} ms`), timeoutMs);
      const check = () => {
        const found = LISTENING.exec(out());
        if (!found) return;
        cleanup();
        resolve(found);
      };
      const fail = (why: string) => {
        cleanup();
        reject(new Error(`chatsdk start ${why}\n--- stdout\n${out()}\n--- stderr\n${err()}`));
      };
      const exited = (result: CliResult) => fail(`exited (code ${result.code}, signal ${result.signal})`);
      const cleanup = () => {
        clearTimeout(timer);
        child.stdout?.off('data', check);
      };
      child.stdout?.on('data', check);
      done.then(exited, (error: unknown) => fail(String(error)));
    });
    const [, baseUrl = '', port = ''] = match;
    return {
      child,
      port: Number(port),
      baseUrl,
      stdout: out,
      stderr: err,
      stop(signal = 'SIGTERM') {
        child.kill(signal);
        return done;
      },
    };
  }

  /** Ends every process this runner started that is still running, and waits for each to go. */
  async killAll(): Promise<void> {
    const running = [...this.children];
    await Promise.all(
      running.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('close', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    this.children.clear();
  }
}

/** Parses stdout that must be one JSON document and nothing else. */
export function parseJsonOutput<T>(stdout: string): T {
  if (!stdout.endsWith('\n')) throw new Error(`stdout does not end with a newline: ${JSON.stringify(stdout)}`);
  return JSON.parse(stdout) as T;
}
