import type { Upload, UploadKind } from '@chatsdk/protocol';
import type { Kysely, Selectable } from 'kysely';
import type { Database, UploadState, UploadsTable } from '../../store/schema.js';
import { toIso } from '../common/ids.js';
import { fileUrl } from './upload-links.js';

/** An upload as the server holds it. */
export interface UploadRecord {
  appId: string;
  id: string;
  state: UploadState;
  channelId: string | null;
  userId: string | null;
  messageId: string | null;
  kind: UploadKind;
  name: string;
  mimeType: string;
  size: number;
  width: number | null;
  height: number | null;
  etag: string;
  storageKey: string;
  thumbKey: string | null;
  createdAt: number;
  attachedAt: number | null;
  deletedAt: number | null;
}

/** Maps a row of `uploads`. */
export function uploadFromRow(row: Selectable<UploadsTable>): UploadRecord {
  return {
    appId: row.app_id,
    id: row.id,
    state: row.state,
    channelId: row.channel_id,
    userId: row.user_id,
    messageId: row.message_id,
    kind: row.kind as UploadKind,
    name: row.name,
    mimeType: row.mime_type,
    size: Number(row.size),
    width: row.width,
    height: row.height,
    etag: row.etag,
    storageKey: row.storage_key,
    thumbKey: row.thumb_key,
    createdAt: Number(row.created_at),
    attachedAt: row.attached_at === null ? null : Number(row.attached_at),
    deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
  };
}

/** Where an upload's bytes live: one object per upload under its app, the thumbnail beside it. */
export function storageKeys(appId: string, uploadId: string): { original: string; thumbnail: string } {
  return { original: `${appId}/${uploadId}`, thumbnail: `${appId}/${uploadId}.thumb.webp` };
}

/** The upload on the wire, with links signed now. */
export function toWireUpload(upload: UploadRecord, now = Date.now()): Upload {
  const thumbnailUrl = upload.thumbKey === null ? undefined : fileUrl(upload.appId, upload.id, 'thumbnail', now);
  return {
    id: upload.id,
    type: upload.kind,
    url: fileUrl(upload.appId, upload.id, 'original', now) ?? '',
    name: upload.name,
    mimeType: upload.mimeType,
    size: upload.size,
    ...(upload.width === null ? {} : { width: upload.width }),
    ...(upload.height === null ? {} : { height: upload.height }),
    ...(thumbnailUrl === undefined ? {} : { thumbnailUrl }),
    channelId: upload.channelId,
    createdAt: toIso(upload.createdAt),
  };
}

/** A live (ready) upload of the app, if any. */
export async function findUpload(db: Kysely<Database>, appId: string, id: string): Promise<UploadRecord | undefined> {
  const row = await db.selectFrom('uploads').selectAll().where('app_id', '=', appId).where('id', '=', id).where('state', '=', 'ready').executeTakeFirst();
  return row ? uploadFromRow(row) : undefined;
}
