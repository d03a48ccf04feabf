import { createHash, randomBytes } from 'node:crypto';
import type { ApiKey } from '@chatsdk/protocol';
import type { Kysely, Selectable } from 'kysely';
import type { ApiKeysTable, Database } from '../../store/schema.js';
import type { Store } from '../../store/store.js';
import { randomId, toIso } from '../common/ids.js';
import { type AppRecord, appFromRow } from './apps.js';

/** Every key starts with this, so leaked keys are easy to find by secret scanners. */
export const API_KEY_PREFIX = 'chatsdk_';
/** How long a rotated key keeps working beside its successor, unless told otherwise. */
export const DEFAULT_ROTATION_OVERLAP_SECONDS = 86400;

const KEY_BODY_LENGTH = 43; // 32 random bytes in base64url

/** An API key as stored: its hash, never the key. */
export interface ApiKeyRecord {
  id: string;
  appId: string;
  hint: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

function keyFromRow(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: row.id,
    appId: row.app_id,
    hint: row.hint,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

/** The key as listed. */
export function toWireApiKey(key: ApiKeyRecord): ApiKey {
  return {
    id: key.id,
    hint: key.hint,
    createdAt: toIso(key.createdAt),
    expiresAt: key.expiresAt === null ? null : toIso(key.expiresAt),
    revokedAt: key.revokedAt === null ? null : toIso(key.revokedAt),
  };
}

/** True when the key is neither revoked nor past its rotation window at `now`. */
export function isKeyActive(key: ApiKeyRecord, now = Date.now()): boolean {
  return key.revokedAt === null && (key.expiresAt === null || key.expiresAt > now);
}

function hashKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

/** Creates a key for the app. The returned `apiKey` is the only time the key exists in clear. */
export function createApiKey(store: Store, appId: string): Promise<{ key: ApiKeyRecord; apiKey: string }> {
  return insertApiKey(store.db, appId);
}

async function insertApiKey(db: Kysely<Database>, appId: string): Promise<{ key: ApiKeyRecord; apiKey: string }> {
  const body = randomBytes(32).toString('base64url');
  const apiKey = API_KEY_PREFIX + body;
  const row: Selectable<ApiKeysTable> = {
    id: randomId('key'),
    app_id: appId,
    key_hash: hashKey(apiKey),
    hint: `${API_KEY_PREFIX}${body.slice(0, 4)}…${body.slice(-4)}`,
    created_at: Date.now(),
    expires_at: null,
    revoked_at: null,
  };
  await db.insertInto('api_keys').values(row).execute();
  return { key: keyFromRow(row), apiKey };
}

/** The app's keys, newest first, revoked ones included. */
export async function listApiKeys(store: Store, appId: string): Promise<ApiKeyRecord[]> {
  const rows = await store.db
    .selectFrom('api_keys')
    .selectAll()
    .where('app_id', '=', appId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(keyFromRow);
}

async function getApiKey(store: Store, appId: string, keyId: string): Promise<ApiKeyRecord | undefined> {
  const row = await store.db
    .selectFrom('api_keys')
    .selectAll()
    .where('app_id', '=', appId)
    .where('id', '=', keyId)
    .executeTakeFirst();
  return row ? keyFromRow(row) : undefined;
}

/** Revokes a key at once. Revoking twice keeps the first instant. */
export async function revokeApiKey(store: Store, appId: string, keyId: string): Promise<ApiKeyRecord | undefined> {
  await store.db
    .updateTable('api_keys')
    .set({ revoked_at: Date.now() })
    .where('app_id', '=', appId)
    .where('id', '=', keyId)
    .where('revoked_at', 'is', null)
    .execute();
  return getApiKey(store, appId, keyId);
}

/**
 * Issues a successor to a key; the old key keeps working for `overlapSeconds`
 * so deployments can switch without downtime. Returns undefined when the old
 * key does not exist or no longer works.
 */
export async function rotateApiKey(
  store: Store,
  appId: string,
  keyId: string,
  overlapSeconds = DEFAULT_ROTATION_OVERLAP_SECONDS,
): Promise<{ previous: ApiKeyRecord; key: ApiKeyRecord; apiKey: string } | undefined> {
  const old = await getApiKey(store, appId, keyId);
  if (!old || !isKeyActive(old)) return undefined;
  const expiresAt = Math.min(old.expiresAt ?? Number.MAX_SAFE_INTEGER, Date.now() + overlapSeconds * 1000);
  // Both or neither: a successor without the old key's deadline would leave two keys open forever.
  const created = await store.db.transaction().execute(async (trx) => {
    await trx.updateTable('api_keys').set({ expires_at: expiresAt }).where('id', '=', keyId).execute();
    return insertApiKey(trx, appId);
  });
  return { previous: { ...old, expiresAt }, ...created };
}

/** The app a presented key belongs to, when the key is well-formed, known and active. */
export async function authenticateApiKey(store: Store, apiKey: string): Promise<AppRecord | undefined> {
  if (!apiKey.startsWith(API_KEY_PREFIX) || apiKey.length !== API_KEY_PREFIX.length + KEY_BODY_LENGTH) return undefined;
  const now = Date.now();
  const row = await store.db
    .selectFrom('api_keys')
    .innerJoin('apps', 'apps.id', 'api_keys.app_id')
    .selectAll('apps')
    .where('api_keys.key_hash', '=', hashKey(apiKey))
    .where('api_keys.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('api_keys.expires_at', 'is', null), eb('api_keys.expires_at', '>', now)]))
    .executeTakeFirst();
  return row ? appFromRow(row, store.secrets) : undefined;
}
