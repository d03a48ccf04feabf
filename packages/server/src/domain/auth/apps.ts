import { randomBytes } from 'node:crypto';
import { type App, LIMITS, type UpdateAppBody } from '@chatsdk/protocol';
import type { Selectable, Updateable } from 'kysely';
import { ApiError } from '../../errors.js';
import type { AppsTable } from '../../store/schema.js';
import { appSecretOwner, type SecretBox } from '../../store/secret-box.js';
import type { Store } from '../../store/store.js';
import { randomId, toIso } from '../common/ids.js';
import { rememberLinkKey } from './link-keys.js';

/** Default lifetime of issued tokens, from the product guide. */
export const DEFAULT_TOKEN_TTL_SECONDS = 86400;

/** An app as the server holds it, secret included. */
export interface AppRecord {
  id: string;
  name: string;
  jwtSecret: string;
  tokenTtlSeconds: number;
  allowedOrigins: string[];
  maxMessageLength: number;
  maxConnectionsPerUser: number;
  /** Largest upload, in bytes. */
  maxUploadBytes: number;
  /** Accepted upload media types (see `uploadTypeAllowed`). */
  allowedUploadTypes: string[];
  /** Whether links in messages get previews. */
  linkPreviews: boolean;
  /** The before-send hook with its opened secret; null: none. */
  beforeSendHook: BeforeSendHookRecord | null;
  /** Flags after which a message is hidden for review; null: never. */
  autoHideAfterFlags: number | null;
  /** Moves with every change to the app's blocklists (compiled matchers are cached per version). */
  blocklistsVersion: number;
  createdAt: number;
}

/** An app's before-send hook as the server holds it. */
export interface BeforeSendHookRecord {
  url: string;
  timeoutMs: number;
  onFailure: 'allow' | 'reject';
  /** The `whsec_…` secret its requests are signed with. */
  secret: string;
}

/** The secret box's owner string of an app's before-send hook secret. */
export function hookSecretOwner(appId: string): string {
  return `apps.before_send_secret:${appId}`;
}

function hookFromRow(row: Selectable<AppsTable>, secrets: SecretBox): BeforeSendHookRecord | null {
  if (row.before_send_url === null || row.before_send_secret === null) return null;
  return {
    url: row.before_send_url,
    timeoutMs: row.before_send_timeout_ms,
    onFailure: row.before_send_on_failure === 'reject' ? 'reject' : 'allow',
    secret: secrets.open(row.before_send_secret, hookSecretOwner(row.id)),
  };
}

/** The default of `allowedUploadTypes`: every type but executables. */
export const ALL_UPLOAD_TYPES = '*/*';

/** Maps a row to a record, opening its sealed secret. Exported for queries that join `apps`. */
export function appFromRow(row: Selectable<AppsTable>, secrets: SecretBox): AppRecord {
  const jwtSecret = secrets.open(row.jwt_secret, appSecretOwner(row.id));
  rememberLinkKey(row.id, jwtSecret, secrets);
  return {
    id: row.id,
    name: row.name,
    jwtSecret,
    tokenTtlSeconds: row.token_ttl_seconds,
    allowedOrigins: JSON.parse(row.allowed_origins) as string[],
    maxMessageLength: row.max_message_length,
    maxConnectionsPerUser: row.max_connections_per_user,
    maxUploadBytes: Number(row.max_upload_bytes),
    allowedUploadTypes: JSON.parse(row.allowed_upload_types) as string[],
    linkPreviews: row.link_previews !== 0,
    beforeSendHook: hookFromRow(row, secrets),
    autoHideAfterFlags: row.auto_hide_after_flags ?? null,
    blocklistsVersion: Number(row.blocklists_version ?? 0),
    createdAt: row.created_at,
  };
}

/** The app as its own server may see it: no secret. */
export function toWireApp(app: AppRecord): App {
  return {
    id: app.id,
    name: app.name,
    tokenTtlSeconds: app.tokenTtlSeconds,
    allowedOrigins: app.allowedOrigins,
    maxMessageLength: app.maxMessageLength,
    maxConnectionsPerUser: app.maxConnectionsPerUser,
    maxUploadBytes: app.maxUploadBytes,
    allowedUploadTypes: app.allowedUploadTypes,
    linkPreviews: app.linkPreviews,
    beforeSendHook: app.beforeSendHook && { url: app.beforeSendHook.url, timeoutMs: app.beforeSendHook.timeoutMs, onFailure: app.beforeSendHook.onFailure },
    autoHideAfterFlags: app.autoHideAfterFlags,
    createdAt: toIso(app.createdAt),
  };
}

/** Creates an app with a fresh 256-bit signing secret. */
export async function createApp(store: Store, input: { name: string; tokenTtlSeconds?: number }): Promise<AppRecord> {
  const name = input.name.trim();
  if (!name || name.length > 100) throw new ApiError('validation_failed', 'app name must be 1 to 100 characters');
  const id = randomId('app');
  const row: Selectable<AppsTable> = {
    id,
    name,
    jwt_secret: store.secrets.seal(randomBytes(32).toString('base64url'), appSecretOwner(id)),
    token_ttl_seconds: input.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS,
    allowed_origins: '[]',
    created_at: Date.now(),
    max_message_length: LIMITS.messageTextLength,
    max_connections_per_user: LIMITS.connectionsPerUser,
    max_upload_bytes: LIMITS.uploadBytes,
    allowed_upload_types: JSON.stringify([ALL_UPLOAD_TYPES]),
    link_previews: 1,
    before_send_url: null,
    before_send_timeout_ms: 1000,
    before_send_on_failure: 'allow',
    before_send_secret: null,
    auto_hide_after_flags: null,
    blocklists_version: 0,
  };
  await store.db.insertInto('apps').values(row).execute();
  return appFromRow(row, store.secrets);
}

/** The app with this id, if any. */
export async function getApp(store: Store, id: string): Promise<AppRecord | undefined> {
  const row = await store.db.selectFrom('apps').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? appFromRow(row, store.secrets) : undefined;
}

/** Every app, oldest first. */
export async function listApps(store: Store): Promise<AppRecord[]> {
  const rows = await store.db.selectFrom('apps').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map((row) => appFromRow(row, store.secrets));
}

/**
 * Finds an app by id, or else by name (the CLI accepts either). A name shared
 * by several apps is refused rather than guessed.
 */
export async function findApp(store: Store, idOrName: string): Promise<AppRecord | undefined> {
  const byId = await getApp(store, idOrName);
  if (byId) return byId;
  const rows = await store.db.selectFrom('apps').selectAll().where('name', '=', idOrName).limit(2).execute();
  if (rows.length > 1) throw new ApiError('validation_failed', `several apps are named "${idOrName}"; use the app id`);
  return rows[0] ? appFromRow(rows[0], store.secrets) : undefined;
}

/** The before-send hook's columns as a settings change writes them (worked out by domain/hooks/hook-settings.ts). */
export type HookColumns = Pick<Updateable<AppsTable>, 'before_send_url' | 'before_send_timeout_ms' | 'before_send_on_failure' | 'before_send_secret'>;

/**
 * Applies a settings change and returns the app as it now is. The
 * before-send hook's part comes worked out as `hook`, in the same update.
 */
export async function updateApp(store: Store, id: string, patch: UpdateAppBody, hook: HookColumns = {}): Promise<AppRecord | undefined> {
  const set: Updateable<AppsTable> = { ...hook };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.tokenTtlSeconds !== undefined) set.token_ttl_seconds = patch.tokenTtlSeconds;
  if (patch.maxMessageLength !== undefined) set.max_message_length = patch.maxMessageLength;
  if (patch.maxConnectionsPerUser !== undefined) set.max_connections_per_user = patch.maxConnectionsPerUser;
  if (patch.allowedOrigins !== undefined) set.allowed_origins = JSON.stringify([...new Set(patch.allowedOrigins)]);
  if (patch.maxUploadBytes !== undefined) set.max_upload_bytes = patch.maxUploadBytes;
  if (patch.allowedUploadTypes !== undefined) set.allowed_upload_types = JSON.stringify([...new Set(patch.allowedUploadTypes)]);
  if (patch.linkPreviews !== undefined) set.link_previews = patch.linkPreviews ? 1 : 0;
  if (patch.autoHideAfterFlags !== undefined) set.auto_hide_after_flags = patch.autoHideAfterFlags;
  if (Object.keys(set).length > 0) await store.db.updateTable('apps').set(set).where('id', '=', id).execute();
  return getApp(store, id);
}
