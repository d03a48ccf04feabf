import type { Attachment } from '@chatsdk/protocol';
import type { Kysely } from 'kysely';
import { ApiError } from '../../errors.js';
import type { Database } from '../../store/schema.js';
import type { Caller } from '../auth/caller.js';
import { fileUrl } from './upload-links.js';
import { type UploadRecord, uploadFromRow } from './upload-records.js';

/** An attachment as a message row stores it: an upload's carries no link (links are signed at each read), only whether it has a thumbnail. */
export type StoredAttachment = Attachment & { hasThumbnail?: boolean };

/** Where the attachments go: the message (its id, before or after it exists) and its channel. */
export interface AttachTarget {
  channelId: string;
  messageId: string;
  now: number;
}

/** The attachment a message stores for an upload: the upload's own facts, whatever the client sent beside its id. */
function fromUpload(type: string, upload: UploadRecord): StoredAttachment {
  return {
    type,
    uploadId: upload.id,
    name: upload.name,
    mimeType: upload.mimeType,
    size: upload.size,
    ...(upload.width === null ? {} : { width: upload.width }),
    ...(upload.height === null ? {} : { height: upload.height }),
    ...(upload.thumbKey === null ? {} : { hasThumbnail: true }),
  };
}

/** Why `caller` may not attach `upload` to the target, if they may not. */
function refusal(caller: Caller, upload: UploadRecord, target: AttachTarget): string | undefined {
  if (upload.messageId !== null && upload.messageId !== target.messageId) return `upload "${upload.id}" is attached to another message`;
  if (upload.channelId !== null && upload.channelId !== target.channelId) return `upload "${upload.id}" was uploaded for another channel`;
  // Already on this message (an edit that keeps it): whoever may edit the message may keep it.
  if (upload.messageId === target.messageId) return undefined;
  if (caller.kind === 'user' && upload.userId !== caller.user.id) return `upload "${upload.id}" was uploaded by someone else`;
  return undefined;
}

/**
 * Resolves the attachments of a send or an edit: each one that names an
 * `uploadId` is filled in from the upload (name, type, size, dimensions) and
 * the upload is bound to the message and its channel, in the caller's
 * transaction. Refused: an upload of another app or none at all (404
 * `upload_not_found`), one uploaded for another channel, by another user, or
 * attached to another message (409 `upload_not_attachable`), and an
 * attachment type the upload is not (an image attachment of a PDF).
 */
export async function attachUploads(trx: Kysely<Database>, caller: Caller, target: AttachTarget, attachments: Attachment[]): Promise<StoredAttachment[]> {
  const ids = attachments.flatMap((a) => (a.uploadId === undefined ? [] : [a.uploadId]));
  if (ids.length === 0) return attachments;
  if (new Set(ids).size !== ids.length) throw new ApiError('validation_failed', 'body/attachments names one upload twice');
  const appId = caller.app.id;
  const rows = await trx.selectFrom('uploads').selectAll().where('app_id', '=', appId).where('id', 'in', ids).where('state', '=', 'ready').execute();
  const uploads = new Map(rows.map((row) => [row.id, uploadFromRow(row)]));
  const stored = attachments.map((attachment, i) => {
    if (attachment.uploadId === undefined) return attachment;
    const upload = uploads.get(attachment.uploadId);
    if (!upload) throw new ApiError('upload_not_found', `body/attachments/${i}: no upload "${attachment.uploadId}" in this app`);
    const why = refusal(caller, upload, target);
    if (why) throw new ApiError('upload_not_attachable', `body/attachments/${i}: ${why}`);
    if (attachment.type !== 'file' && attachment.type !== upload.kind) {
      throw new ApiError('validation_failed', `body/attachments/${i}/type is "${attachment.type}", but upload "${upload.id}" is a ${upload.kind}: use "${upload.kind}" or "file"`);
    }
    return fromUpload(attachment.type, upload);
  });
  // Conditional on still being free: of two sends racing for one upload, the second updates nothing and is refused.
  const bound = await trx
    .updateTable('uploads')
    .set({ message_id: target.messageId, channel_id: target.channelId, attached_at: target.now })
    .where('app_id', '=', appId)
    .where('id', 'in', ids)
    .where('state', '=', 'ready')
    .where((eb) => eb.or([eb('message_id', 'is', null), eb('message_id', '=', target.messageId)]))
    .executeTakeFirst();
  if (Number(bound.numUpdatedRows) !== ids.length) throw new ApiError('upload_not_attachable', 'an upload was attached to another message meanwhile');
  return stored;
}

/**
 * Marks for removal the uploads of these messages (all of them, or all but
 * those kept by an edit): their rows go to `deleted` in the caller's
 * transaction, and their bytes are removed after it commits
 * (`purgeDeletedUploads`), or by the sweep if this process does not get to it.
 */
export async function releaseUploads(trx: Kysely<Database>, appId: string, messageIds: string[], keep: string[] = [], now = Date.now()): Promise<void> {
  if (messageIds.length === 0) return;
  let query = trx
    .updateTable('uploads')
    .set({ state: 'deleted', deleted_at: now })
    .where('app_id', '=', appId)
    .where('message_id', 'in', messageIds)
    .where('state', '=', 'ready');
  if (keep.length > 0) query = query.where('id', 'not in', keep);
  await query.execute();
}

/**
 * The attachments on the wire: an upload's get their links, signed now.
 * Messages without an upload (the common case) come back as they are.
 */
export function wireAttachments(appId: string, stored: StoredAttachment[], now = Date.now()): Attachment[] {
  if (!stored.some((a) => a.uploadId !== undefined)) return stored;
  return stored.map((attachment) => {
    if (attachment.uploadId === undefined) return attachment;
    const { hasThumbnail, ...rest } = attachment;
    const url = fileUrl(appId, attachment.uploadId, 'original', now);
    const thumbUrl = hasThumbnail ? fileUrl(appId, attachment.uploadId, 'thumbnail', now) : undefined;
    return { ...rest, ...(url === undefined ? {} : { url }), ...(thumbUrl === undefined ? {} : { thumbUrl }) };
  });
}

/** The upload ids a message's attachments name. */
export function uploadIdsOf(attachments: Attachment[]): string[] {
  return attachments.flatMap((a) => (a.uploadId === undefined ? [] : [a.uploadId]));
}
