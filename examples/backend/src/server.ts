#!/usr/bin/env node
import { buildBackend } from './app.js';

// The backend alone, configured by its environment: CHATSDK_URL, CHATSDK_API_KEY, PORT, HOST, DEMO_STATIC_DIR.
const apiKey = process.env.CHATSDK_API_KEY;
if (!apiKey) {
  process.stderr.write('CHATSDK_API_KEY is not set: give this backend the API key `chatsdk start` printed\n');
  process.exit(1);
}
const app = buildBackend({
  chatUrl: process.env.CHATSDK_URL ?? 'http://127.0.0.1:5500',
  apiKey,
  ...(process.env.CHATSDK_PUBLIC_URL ? { publicChatUrl: process.env.CHATSDK_PUBLIC_URL } : {}),
  ...(process.env.DEMO_STATIC_DIR ? { staticDir: process.env.DEMO_STATIC_DIR } : {}),
  logger: { level: process.env.LOG_LEVEL ?? 'info' },
});
await app.listen({ port: Number(process.env.PORT ?? 5501), host: process.env.HOST ?? '0.0.0.0' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close().then(() => process.exit(0)));
