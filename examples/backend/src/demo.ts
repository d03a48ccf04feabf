#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildBackend } from './app.js';
import { demoApiKey } from './demo-key.js';

/**
 * What `npm start` runs at the repository root: ChatSDK (`chatsdk start`,
 * unchanged: port PORT, default 5500; the "Default" app and its key printed on
 * an empty store), then this backend on DEMO_PORT (default 5501) serving the
 * built demo, with an API key of its own. The browser talks to ChatSDK
 * directly for chat, and to this backend for login and tokens.
 */
const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const cli = join(root, 'packages/server/dist/cli.js');
const staticDir = resolve(process.env.DEMO_STATIC_DIR ?? join(root, 'examples/react-chat/dist'));
const keyFile = resolve(process.env.CHATSDK_DATA_DIR ?? 'data', 'demo-backend.key');

function fail(message: string): never {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(1);
}

if (!existsSync(cli)) fail(`${cli} is missing: run \`npm run build\` first`);

const chat = spawn(process.execPath, [cli, 'start'], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
let stopping = false;
chat.on('exit', (code, signal) => {
  if (!stopping) process.stderr.write(`demo: ChatSDK exited (${signal ?? code}); stopping\n`);
  process.exit(code ?? 1);
});

// ChatSDK's output goes on as it is; its "listening on" line says where it is.
const listening = new Promise<string>((resolveUrl) => {
  createInterface({ input: chat.stdout }).on('line', (line) => {
    process.stdout.write(`${line}\n`);
    const match = /^ChatSDK \S+ listening on (http:\/\/\S+)/.exec(line);
    if (match?.[1]) resolveUrl(match[1]);
  });
});

const chatUrl = await listening;
// Server to server, over the loopback whatever host name ChatSDK printed.
const internalChatUrl = `http://127.0.0.1:${new URL(chatUrl).port}`;
const apiKey = await demoApiKey(cli, internalChatUrl, keyFile).catch((error: unknown) => {
  stopping = true;
  chat.kill('SIGTERM');
  return fail(`no API key for the demo backend: ${String(error)}`);
});

const hasDemo = existsSync(join(staticDir, 'index.html'));
const backend = buildBackend({
  chatUrl: internalChatUrl,
  apiKey,
  ...(process.env.CHATSDK_PUBLIC_URL ? { publicChatUrl: process.env.CHATSDK_PUBLIC_URL } : {}),
  ...(hasDemo ? { staticDir } : {}),
  logger: { level: process.env.DEMO_LOG_LEVEL ?? 'warn' },
});
const demoPort = Number(process.env.DEMO_PORT ?? 5501);
await backend.listen({ port: demoPort, host: process.env.HOST ?? '0.0.0.0' }).catch((error: unknown) => {
  stopping = true;
  chat.kill('SIGTERM');
  fail(`the backend could not listen on port ${demoPort} (${error instanceof Error ? error.message : String(error)}); set DEMO_PORT`);
});
const { port } = backend.server.address() as AddressInfo;
const demoUrl = `http://localhost:${port}`;

if (!hasDemo) process.stdout.write(`demo: ${staticDir} has no build; run \`npm run build -w examples/react-chat\`\n`);
process.stdout.write(
  [
    '',
    `  Open ${demoUrl}`,
    '  and sign in as alice, bob or carol (passwords alice-demo, bob-demo, carol-demo), one per window;',
    '  carol is a moderator: she has the review queue (reported messages) and can ban.',
    '',
  ].join('\n') + '\n',
);

function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  void backend.close().finally(() => chat.kill(signal));
}
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
