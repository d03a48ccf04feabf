import type { FileStore } from '../../files/index.js';
import { ApiError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { Caller } from '../auth/caller.js';
import type { UploadContext } from './receive-upload.js';
import { findUpload, uploadFromRow } from './upload-records.js';

/** The file store of each server's store, for domain code that is handed only the store (message deletes). */
const fileStores = new WeakMap<Store, FileStore>();

/**
 * Says which file store holds the bytes of `store`'s uploads. Domain
 * functions are given `{ store, bus }`; a message delete must remove its
 * uploads' bytes after it commits, and finds their store here.
 */
export function bindFileStore(store: Store, files: FileStore): void {
  fileStores.set(store, files);
}

/** Rows removed per round of a purge: the sweep loops over rounds. */
const PURGE_BATCH = 200;

/**
 * Removes the bytes of uploads marked `deleted` (those named, or any), then
 * their rows; returns how many went. An upload whose bytes cannot be removed
 * now (the bucket is away) keeps its row, and the next sweep tries again. A
 * store with no file store bound (a tool that opened the database alone)
 * leaves everything to the sweep of a server.
 */
export async function purgeDeletedUploads(store: Store, only?: { appId: string; ids: string[] }): Promise<number> {
  const files = fileStores.get(store);
  if (!files || (only && only.ids.length === 0)) return 0;
  let query = store.db.selectFrom('uploads').selectAll().where('state', '=', 'deleted').orderBy('deleted_at').limit(PURGE_BATCH);
  if (only) query = query.where('app_id', '=', only.appId).where('id', 'in', only.ids);
  const rows = (await query.execute()).map(uploadFromRow);
  let purged = 0;
  for (const upload of rows) {
    try {
      await files.delete(upload.storageKey);
      if (upload.thumbKey !== null) await files.delete(upload.thumbKey);
    } catch {
      continue;
    }
    await store.db.deleteFrom('uploads').where('app_id', '=', upload.appId).where('id', '=', upload.id).where('state', '=', 'deleted').execute();
    purged += 1;
  }
  return purged;
}

/**
 * Removes, once the change that marked them has committed, the bytes of the
 * uploads an edit or delete of these messages let go. Never throws: the
 * change is committed, and what could not be removed now the sweep removes.
 */
export async function purgeUploadsOf(store: Store, appId: string, messageIds: string[]): Promise<void> {
  if (messageIds.length === 0 || !fileStores.has(store)) return;
  try {
    const rows = await store.db
      .selectFrom('uploads')
      .select('id')
      .where('app_id', '=', appId)
      .where('message_id', 'in', messageIds)
      .where('state', '=', 'deleted')
      .execute();
    await purgeDeletedUploads(store, { appId, ids: rows.map((row) => row.id) });
  } catch {
    // Deliberately quiet: see above.
  }
}

/**
 * `DELETE /api/uploads/:id`, by its uploader or the app's backend. An
 * attached upload is refused (409 `upload_attached`): the message would
 * keep an attachment whose link no longer opens; edit or delete the message,
 * which takes its uploads with it.
 */
export async function deleteUpload(ctx: UploadContext, caller: Caller, id: string, now = Date.now()): Promise<void> {
  const upload = await findUpload(ctx.store.db, caller.app.id, id);
  if (!upload) throw new ApiError('upload_not_found', `no upload "${id}" in this app`);
  if (caller.kind === 'user' && upload.userId !== caller.user.id) throw new ApiError('forbidden', 'only its uploader (or the app backend) may delete an upload');
  if (upload.messageId !== null) throw new ApiError('upload_attached', `upload "${id}" is attached to message "${upload.messageId}": edit or delete the message`);
  const marked = await ctx.store.db
    .updateTable('uploads')
    .set({ state: 'deleted', deleted_at: now })
    .where('app_id', '=', caller.app.id)
    .where('id', '=', id)
    .where('state', '=', 'ready')
    .where('message_id', 'is', null)
    .executeTakeFirst();
  // Attached (or deleted) between the read and the write: answer as the read would have.
  if (marked.numUpdatedRows === 0n) throw new ApiError('upload_attached', `upload "${id}" was attached or deleted meanwhile`);
  await purgeDeletedUploads(ctx.store, { appId: caller.app.id, ids: [id] });
}
