import { createApiKey } from '../domain/auth/api-keys.js';
import { createApp, listApps } from '../domain/auth/apps.js';
import { toIso } from '../domain/common/ids.js';
import { CliError, printJson, printTable } from './output.js';
import { withStore } from './with-store.js';

/** `chatsdk apps create NAME [--json] [--token-ttl SECONDS]`: a new app and its first API key. */
export async function appsCreate(name: string | undefined, options: { json: boolean; tokenTtl?: string }): Promise<void> {
  if (!name?.trim()) throw new CliError('usage: chatsdk apps create NAME [--json] [--token-ttl SECONDS]', 2);
  const tokenTtlSeconds = options.tokenTtl === undefined ? undefined : Number(options.tokenTtl);
  if (tokenTtlSeconds !== undefined && (!Number.isInteger(tokenTtlSeconds) || tokenTtlSeconds < 60)) {
    throw new CliError('--token-ttl must be a whole number of seconds, at least 60', 2);
  }
  const { app, apiKey } = await withStore(async (store) => {
    const app = await createApp(store, { name, ...(tokenTtlSeconds ? { tokenTtlSeconds } : {}) });
    const { apiKey } = await createApiKey(store, app.id);
    return { app, apiKey };
  });
  if (options.json) return printJson({ id: app.id, name: app.name, apiKey });
  process.stdout.write(`Created app ${app.name} (${app.id}).\nAPI key (shown once, keep it in your backend's secrets):\n  ${apiKey}\n`);
}

/** `chatsdk apps list [--json]` */
export async function appsList(options: { json: boolean }): Promise<void> {
  const apps = await withStore((store) => listApps(store));
  if (options.json) {
    return printJson(apps.map((a) => ({ id: a.id, name: a.name, tokenTtlSeconds: a.tokenTtlSeconds, createdAt: toIso(a.createdAt) })));
  }
  printTable(
    ['ID', 'NAME', 'TOKEN TTL', 'CREATED'],
    apps.map((a) => [a.id, a.name, `${a.tokenTtlSeconds}s`, toIso(a.createdAt)]),
  );
}
