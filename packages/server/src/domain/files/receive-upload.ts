import { LIMITS } from '@chatsdk/protocol';
import type { Readable } from 'node:stream';
import { ApiError } from '../../errors.js';
import type { FileStore } from '../../files/index.js';
import type { Store } from '../../store/store.js';
import { type Caller, callerUserId } from '../auth/caller.js';
import { banHolds } from '../auth/ban-records.js';
import { accessChannel, requireMember } from '../channels/channel-access.js';
import { requirePermission } from '../channels/channel-permissions.js';
import { randomId, toIso } from '../common/ids.js';
import { type StoredBytes, storeUploadBytes } from './upload-bytes.js';
import { storageKeys, type UploadRecord, uploadFromRow } from './upload-records.js';
import { kindOf } from './upload-types.js';

/** What upload functions work with: the database and the bytes. */
export interface UploadContext {
  store: Store;
  files: FileStore;
}

/** One part of a `multipart/form-data` body, as the HTTP layer hands it over. */
export type FormPart =
  | { kind: 'field'; name: string; value: unknown }
  | { kind: 'file'; name: string; filename: string; stream: Readable };

const CHANNEL_ID = new RegExp(`^[A-Za-z0-9_.@:-]{1,${LIMITS.channelIdLength}}$`);
// Control characters, and the bidirectional overrides that make `gpj.exe` read as `exe.jpg`.
const UNSAFE_NAME_CHARACTERS = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;

/** The file name to keep: its last path segment, without control or direction characters, at most 256 characters. */
export function cleanFileName(given: string): string {
  const last = given.split(/[/\\]/).pop() ?? '';
  const clean = [...last.replace(UNSAFE_NAME_CHARACTERS, '').trim()].slice(0, LIMITS.uploadNameLength).join('');
  return clean === '' || clean === '.' || clean === '..' ? 'file' : clean;
}

/** A user uploads into a channel they may write to; the server into any live channel of its app. */
async function checkChannel(store: Store, caller: Caller, channelId: string): Promise<void> {
  const access = await accessChannel(store.db, caller, channelId);
  if (caller.kind === 'user') {
    requireMember(access);
    requirePermission(access, 'upload');
  }
}

/**
 * An app-banned user uploads nothing, into a channel or not: an upload
 * without one is only ever for a message they could not send. Refused before
 * anything is written. (A shadow ban refuses nothing, as everywhere.)
 */
function checkAppBan(caller: Caller): void {
  if (caller.kind !== 'user' || !banHolds(caller.appBan) || caller.appBan.shadow) return;
  const ban = caller.appBan;
  throw new ApiError('user_banned', 'you are banned from this app', {
    details: { expiresAt: ban.expiresAt === null ? null : toIso(ban.expiresAt), channelId: null, reason: ban.reason },
  });
}

function channelIdOf(value: unknown): string {
  if (typeof value !== 'string' || !CHANNEL_ID.test(value)) {
    throw new ApiError('validation_failed', `channelId must be a channel id (1 to ${LIMITS.channelIdLength} characters of A-Z a-z 0-9 _ . @ : -)`);
  }
  return value;
}

/** Drops the bytes of an upload that will not be kept; a thumbnail still being made is dropped when it is done. */
async function discard(ctx: UploadContext, keys: { original: string; thumbnail: string }, bytes: StoredBytes | undefined): Promise<void> {
  await ctx.files.delete(keys.original).catch(() => {});
  if (bytes?.thumbnail instanceof Promise) void bytes.thumbnail.then(() => ctx.files.delete(keys.thumbnail)).catch(() => {});
  else await ctx.files.delete(keys.thumbnail).catch(() => {});
}

/** Records a thumbnail that finished after the answer; one whose upload went meanwhile is dropped. */
async function recordLateThumbnail(ctx: UploadContext, record: UploadRecord, key: string, made: boolean): Promise<void> {
  if (!made) return;
  const result = await ctx.store.db
    .updateTable('uploads')
    .set({ thumb_key: key })
    .where('app_id', '=', record.appId)
    .where('id', '=', record.id)
    .where('state', '=', 'ready')
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) await ctx.files.delete(key);
}

/**
 * `POST /api/uploads`: reads the form's parts in order (one `file`, and an
 * optional `channelId` before or after it), streams the file to the store,
 * and records it. A row is written first as `pending`, so bytes are never
 * stored unrecorded: if this process dies midway, the sweep finds the row
 * and removes what it names. Any refusal removes the bytes and the row
 * before it is answered. Without a `channelId` the upload belongs to its
 * uploader until it is attached: only they (or the app's backend) may attach
 * it, into a channel where they may send, which it then belongs to.
 */
export async function receiveUpload(ctx: UploadContext, caller: Caller, parts: AsyncIterable<FormPart>, now = Date.now): Promise<UploadRecord> {
  checkAppBan(caller);
  const appId = caller.app.id;
  const id = randomId('upl');
  const keys = storageKeys(appId, id);
  const createdAt = now();
  await ctx.store.db
    .insertInto('uploads')
    .values({
      app_id: appId,
      id,
      state: 'pending',
      channel_id: null,
      user_id: callerUserId(caller),
      message_id: null,
      kind: 'file',
      name: '',
      mime_type: '',
      size: 0,
      width: null,
      height: null,
      etag: '',
      storage_key: keys.original,
      thumb_key: null,
      created_at: createdAt,
      attached_at: null,
      deleted_at: null,
    })
    .execute();

  let bytes: StoredBytes | undefined;
  let name = 'file';
  let channelId: string | undefined;
  let channelChecked = false;
  try {
    for await (const part of parts) {
      if (part.kind === 'field') {
        if (part.name !== 'channelId') throw new ApiError('validation_failed', `the form has an unknown field "${part.name}": it takes file and channelId`);
        if (channelId !== undefined) throw new ApiError('validation_failed', 'the form gives channelId twice');
        channelId = channelIdOf(part.value);
        // Before the file arrives, a refusal costs the caller nothing but the request.
        if (bytes === undefined) {
          await checkChannel(ctx.store, caller, channelId);
          channelChecked = true;
        }
        continue;
      }
      if (part.name !== 'file') {
        part.stream.resume();
        throw new ApiError('validation_failed', `the file must be sent in the part named "file", not "${part.name}"`);
      }
      if (bytes !== undefined) {
        part.stream.resume();
        throw new ApiError('validation_failed', 'send one file per upload');
      }
      name = cleanFileName(part.filename);
      bytes = await storeUploadBytes(ctx.files, caller.app, part, keys);
    }
    if (bytes === undefined) throw new ApiError('validation_failed', 'the form has no file: send it in a part named "file"');
    if (channelId !== undefined && !channelChecked) await checkChannel(ctx.store, caller, channelId);

    const thumbKey = bytes.thumbnail === 'stored' ? keys.thumbnail : null;
    const row = await ctx.store.db
      .updateTable('uploads')
      .set({
        state: 'ready',
        channel_id: channelId ?? null,
        kind: bytes.width === null && bytes.mimeType.startsWith('image/') ? 'file' : kindOf(bytes.mimeType),
        name,
        mime_type: bytes.mimeType,
        size: bytes.size,
        width: bytes.width,
        height: bytes.height,
        etag: bytes.etag,
        thumb_key: thumbKey,
      })
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const record = uploadFromRow(row);
    const late = bytes.thumbnail;
    if (late instanceof Promise) void late.then((made) => recordLateThumbnail(ctx, record, keys.thumbnail, made)).catch(() => {});
    return record;
  } catch (error) {
    await discard(ctx, keys, bytes);
    await ctx.store.db.deleteFrom('uploads').where('app_id', '=', appId).where('id', '=', id).execute().catch(() => {});
    throw error;
  }
}
