import {
  type ApiKeyRecord,
  createApiKey,
  isKeyActive,
  listApiKeys,
  revokeApiKey,
  rotateApiKey,
  toWireApiKey,
} from '../domain/auth/api-keys.js';
import { findApp } from '../domain/auth/apps.js';
import { toIso } from '../domain/common/ids.js';
import type { Store } from '../store/index.js';
import { CliError, printJson, printTable } from './output.js';
import { withStore } from './with-store.js';

async function appOf(store: Store, idOrName: string | undefined): Promise<string> {
  if (!idOrName) throw new CliError('name the app: its id or its name', 2);
  const app = await findApp(store, idOrName);
  if (!app) throw new CliError(`no app "${idOrName}"`);
  return app.id;
}

function state(key: ApiKeyRecord): string {
  if (key.revokedAt !== null) return `revoked ${toIso(key.revokedAt)}`;
  if (key.expiresAt !== null) return isKeyActive(key) ? `expires ${toIso(key.expiresAt)}` : `expired ${toIso(key.expiresAt)}`;
  return 'active';
}

/** `chatsdk keys create APP [--json]` */
export async function keysCreate(app: string | undefined, options: { json: boolean }): Promise<void> {
  const { key, apiKey } = await withStore(async (store) => createApiKey(store, await appOf(store, app)));
  if (options.json) return printJson({ id: key.id, hint: key.hint, apiKey });
  process.stdout.write(`Created key ${key.id}. It is shown once:\n  ${apiKey}\n`);
}

/** `chatsdk keys list APP [--json]`: hints only; the keys themselves are not stored. */
export async function keysList(app: string | undefined, options: { json: boolean }): Promise<void> {
  const keys = await withStore(async (store) => listApiKeys(store, await appOf(store, app)));
  if (options.json) return printJson(keys.map(toWireApiKey));
  printTable(['ID', 'KEY', 'CREATED', 'STATE'], keys.map((k) => [k.id, k.hint, toIso(k.createdAt), state(k)]));
}

/** `chatsdk keys revoke APP KEY_ID` */
export async function keysRevoke(app: string | undefined, keyId: string | undefined): Promise<void> {
  if (!keyId) throw new CliError('usage: chatsdk keys revoke APP KEY_ID', 2);
  const key = await withStore(async (store) => revokeApiKey(store, await appOf(store, app), keyId));
  if (!key) throw new CliError(`no key "${keyId}" in that app`);
  process.stdout.write(`Revoked ${key.id} (${key.hint}).\n`);
}

/** `chatsdk keys rotate APP KEY_ID [--overlap SECONDS] [--json]` */
export async function keysRotate(
  app: string | undefined,
  keyId: string | undefined,
  options: { json: boolean; overlap?: string },
): Promise<void> {
  if (!keyId) throw new CliError('usage: chatsdk keys rotate APP KEY_ID [--overlap SECONDS]', 2);
  const overlap = options.overlap === undefined ? undefined : Number(options.overlap);
  if (overlap !== undefined && (!Number.isInteger(overlap) || overlap < 0)) throw new CliError('--overlap must be whole seconds', 2);
  const rotated = await withStore(async (store) => rotateApiKey(store, await appOf(store, app), keyId, overlap));
  if (!rotated) throw new CliError(`no active key "${keyId}" in that app`);
  if (options.json) return printJson({ id: rotated.key.id, hint: rotated.key.hint, apiKey: rotated.apiKey, previousExpiresAt: toIso(rotated.previous.expiresAt ?? 0) });
  process.stdout.write(
    `New key ${rotated.key.id}, shown once:\n  ${rotated.apiKey}\n${keyId} keeps working until ${toIso(rotated.previous.expiresAt ?? 0)}.\n`,
  );
}
