import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** The whole of `npm start`, running on free ports over a fresh SQLite store. */
export interface DemoStack {
  /** The one URL the launcher printed (on 127.0.0.1). */
  url: string;
  /** Everything the launcher printed. */
  output: string[];
  /** ChatSDK's own URL, as the launcher printed it. */
  chatUrl: string;
  /** The API key the launcher gave the backend (kept in the data folder). */
  apiKey(): string;
  close(): Promise<void>;
}

/**
 * Builds what `npm start` builds (`tsc -b`, the demo's `vite build` into a
 * temporary folder) and runs the launcher `npm start` runs, as a child
 * process, on ports 0: ChatSDK, the backend and the built demo. `env` adds
 * to its environment (`CHATSDK_OUTBOUND_ALLOW_HOSTS` for a local page).
 */
export async function startDemoStack(options: { env?: Record<string, string> } = {}): Promise<DemoStack> {
  const dir = mkdtempSync(join(tmpdir(), 'chatsdk-e2e-'));
  const staticDir = join(dir, 'demo');
  await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b'], { cwd: root });
  await run(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', staticDir, '--emptyOutDir', '--sourcemap', 'false', '--logLevel', 'warn'], {
    cwd: join(root, 'examples/react-chat'),
  });

  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', DEMO_PORT: '0', HOST: '127.0.0.1', CHATSDK_DATA_DIR: join(dir, 'data'), DEMO_STATIC_DIR: staticDir, LOG_LEVEL: 'warn', ...options.env };
  // The demo as a new user runs it: the embedded store, one process.
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.CHATSDK_API_KEY;
  const child: ChildProcess = spawn(process.execPath, [join(root, 'examples/backend/dist/demo.js')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<void>((done) => child.once('exit', () => done()));

  const url = await new Promise<string>((found, failed) => {
    const onLine = (line: string) => {
      output.push(line);
      const match = /^\s*Open (http:\/\/\S+)/.exec(line);
      if (match?.[1]) found(match[1].replace('//localhost:', '//127.0.0.1:'));
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code) => failed(new Error(`the demo launcher exited (${code}) before printing its URL:\n${output.join('\n')}`)));
  });

  const listening = output.map((line) => /listening on (http:\/\/\S+)/.exec(line)?.[1]).find(Boolean);
  if (!listening) throw new Error(`the launcher printed no ChatSDK URL:\n${output.join('\n')}`);
  return {
    url,
    output,
    chatUrl: listening.replace('//localhost:', '//127.0.0.1:'),
    apiKey: () => readFileSync(join(dir, 'data', 'demo-backend.key'), 'utf8').trim(),
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
