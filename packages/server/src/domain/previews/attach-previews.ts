import { type Attachment, LIMITS } from '@chatsdk/protocol';
import { lockChannel } from '../channels/channel-lock.js';
import { readJson } from '../common/json-columns.js';
import type { DomainContext } from '../context.js';
import { transact } from '../events/events.js';
import { messageFromRow, toWireMessage } from '../messages/message-records.js';
import { findLinks } from './links.js';
import type { LinkPreview } from './page-preview.js';

/** The message a preview job is for. */
export interface PreviewTarget {
  appId: string;
  channelId: string;
  messageId: string;
}

/** The attachment a preview becomes. */
export function linkAttachment(url: string, preview: LinkPreview): Attachment {
  return { type: 'link', url, ...preview };
}

/**
 * Adds `link` attachments to a message and writes `message.updated` in the
 * same transaction, as an edit does (but `editedAt` stays: the author did
 * not edit). The message is read again under its channel's lock, so what
 * happened meanwhile decides: a deleted (or erased) message gets nothing; an
 * edited one gets previews only for the links its text still holds; a link
 * that already has a `link` attachment (the sender's own, or an earlier
 * preview) is not previewed twice; the attachment limit is not passed.
 * Returns the number of attachments added (0: nothing written, no event).
 */
export async function attachPreviews(ctx: DomainContext, target: PreviewTarget, previews: ReadonlyMap<string, LinkPreview>): Promise<number> {
  if (previews.size === 0) return 0;
  return transact(
    ctx,
    async (trx, events) => {
      const channel = await trx
        .selectFrom('channels')
        .select('deleted_at')
        .where('app_id', '=', target.appId)
        .where('id', '=', target.channelId)
        .executeTakeFirst();
      if (!channel || channel.deleted_at !== null) return 0;
      await lockChannel(trx, target.appId, target.channelId);
      const row = await trx.selectFrom('messages').selectAll().where('app_id', '=', target.appId).where('id', '=', target.messageId).executeTakeFirst();
      // A shadowed message gets no preview: its message.updated would announce it to every member. (The send
      // route schedules none for one; this holds for any other caller too.)
      if (!row || row.deleted_at !== null || row.shadowed !== 0) return 0;

      // The stored attachments as stored: what the record makes of them for the wire is not written back.
      const stored = readJson<Attachment[]>(row.attachments);
      const previewed = new Set(stored.filter((a) => a.type === 'link' && a.url !== undefined).map((a) => a.url));
      const room = LIMITS.attachmentsPerMessage - stored.length;
      const added: Attachment[] = [];
      for (const link of findLinks(row.text)) {
        const preview = previews.get(link.key);
        if (!preview || previewed.has(link.url) || added.length >= room) continue;
        added.push(linkAttachment(link.url, preview));
      }
      if (added.length === 0) return 0;

      const updated = await trx
        .updateTable('messages')
        .set({ attachments: JSON.stringify([...stored, ...added]), updated_at: Date.now() })
        .where('app_id', '=', target.appId)
        .where('id', '=', target.messageId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await events.emit(target.appId, target.channelId, { type: 'message.updated', message: toWireMessage(messageFromRow(updated)) });
      return added.length;
    },
    target.channelId,
  );
}
