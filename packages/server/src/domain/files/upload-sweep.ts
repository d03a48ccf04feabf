import { LIMITS } from '@chatsdk/protocol';
import type { UploadContext } from './receive-upload.js';
import { purgeDeletedUploads } from './upload-deletes.js';

/** A pending row older than this belongs to an upload that died with its process (a request lasts 10 minutes at most). */
const PENDING_GIVE_UP_MS = 3_600_000;

/** How often a server sweeps. Hourly, not daily: each sweep is a few indexed queries, and uploads go within about 25 h, not 48. */
export const SWEEP_INTERVAL_MS = 3_600_000;

/** What one sweep removed. */
export interface SweepResult {
  /** Uploads never attached, past their day. */
  unattached: number;
  /** Uploads whose process died while they arrived. */
  abandoned: number;
  /** Attached uploads whose message or channel went another way (a truncate, a channel delete). */
  orphaned: number;
  /** Rows whose bytes went, these and those deleted before. */
  purged: number;
  /** Temporary leftovers of the file store (half-written files, unfinished multipart uploads). */
  temporaries: number;
}

/**
 * Removes uploads never attached to a message 24 h after they were made,
 * uploads left `pending` by a process that died, attached uploads whose
 * message or channel is gone, and the bytes of every
 * upload marked deleted (message deletes and edits mark them; they purge at
 * once, and this catches what they could not). `now` is the sweep's clock,
 * so a test can sweep a day ahead. Processes that share a store may sweep
 * at once: every step is idempotent.
 */
export async function sweepUploads(ctx: UploadContext, now = Date.now()): Promise<SweepResult> {
  const unattached = await ctx.store.db
    .updateTable('uploads')
    .set({ state: 'deleted', deleted_at: now })
    .where('state', '=', 'ready')
    .where('message_id', 'is', null)
    .where('created_at', '<=', now - LIMITS.unattachedUploadSeconds * 1000)
    .executeTakeFirst();
  const abandoned = await ctx.store.db
    .updateTable('uploads')
    .set({ state: 'deleted', deleted_at: now })
    .where('state', '=', 'pending')
    .where('created_at', '<=', now - PENDING_GIVE_UP_MS)
    .executeTakeFirst();
  // A truncate or a channel delete removes messages without passing through the message delete that takes
  // uploads with it: an attached upload whose message is gone, deleted, or in a deleted channel goes too.
  const orphaned = await ctx.store.db
    .updateTable('uploads')
    .set({ state: 'deleted', deleted_at: now })
    .where('state', '=', 'ready')
    .where('message_id', 'is not', null)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('messages')
            .innerJoin('channels', (join) => join.onRef('channels.app_id', '=', 'messages.app_id').onRef('channels.id', '=', 'messages.channel_id'))
            .select('messages.id')
            .whereRef('messages.app_id', '=', 'uploads.app_id')
            .whereRef('messages.id', '=', 'uploads.message_id')
            .where('messages.deleted_at', 'is', null)
            .where('channels.deleted_at', 'is', null),
        ),
      ),
    )
    .executeTakeFirst();
  let purged = 0;
  for (let round = await purgeDeletedUploads(ctx.store); round > 0; round = await purgeDeletedUploads(ctx.store)) purged += round;
  const temporaries = await ctx.files.dropStaleTemporaries(PENDING_GIVE_UP_MS, now);
  return {
    unattached: Number(unattached.numUpdatedRows),
    abandoned: Number(abandoned.numUpdatedRows),
    orphaned: Number(orphaned.numUpdatedRows),
    purged,
    temporaries,
  };
}
