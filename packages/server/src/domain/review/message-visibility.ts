import type { Selectable } from 'kysely';
import type { FlagsTable } from '../../store/schema.js';
import { recordAudit } from '../audit/audit-log.js';
import type { AppRecord } from '../auth/apps.js';
import type { EventWriter, Tx } from '../events/events.js';
import { findMessage, type MessageRecord, messageFromRow, toWireMessage } from '../messages/message-records.js';
import { SYSTEM_REPORTER } from '../moderation/flag-records.js';

/** Sets a message's `hidden` and tells its channel with `message.updated`, carrying the message as readers now see it. */
async function setHidden(trx: Tx, events: EventWriter, message: MessageRecord, hidden: boolean, now: number): Promise<MessageRecord> {
  const row = await trx
    .updateTable('messages')
    .set({ hidden: hidden ? 1 : 0, updated_at: now })
    .where('app_id', '=', message.appId)
    .where('id', '=', message.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const updated = messageFromRow(row);
  // One text for every receiver: readers get the withheld version (toWireMessage), so a hidden message's
  // content never travels on the stream; the review queue reads it from the store.
  await events.emit(updated.appId, updated.channelId, { type: 'message.updated', message: toWireMessage(updated) });
  return updated;
}

/**
 * User reports of a flag since its last review: a dismissed message starts
 * again from none, or the next report after a dismissal would hide it at once.
 * The system's report is not a user's verdict and does not count.
 */
async function reportsSinceReview(trx: Tx, flag: Selectable<FlagsTable>): Promise<number> {
  let query = trx
    .selectFrom('flag_reports')
    .select((eb) => eb.fn.countAll<number>().as('reports'))
    .where('app_id', '=', flag.app_id)
    .where('flag_id', '=', flag.id)
    .where('reporter_id', '!=', SYSTEM_REPORTER);
  if (flag.reviewed_at !== null) query = query.where('created_at', '>', Number(flag.reviewed_at));
  const { reports } = await query.executeTakeFirstOrThrow();
  return Number(reports);
}

/**
 * Auto-hide: once a live message has `app.autoHideAfterFlags` user reports
 * (since its last review) it is hidden for review, in the transaction of
 * the report that reached the number. Off (null) by default. Answers
 * whether it hid the message. The caller holds the channel's lock.
 */
export async function hideIfReported(trx: Tx, events: EventWriter, app: AppRecord, message: MessageRecord, flag: Selectable<FlagsTable>): Promise<boolean> {
  const threshold = app.autoHideAfterFlags;
  if (threshold === null || message.hidden || message.deletedAt !== null) return false;
  const reports = await reportsSinceReview(trx, flag);
  if (reports < threshold) return false;
  const now = Date.now();
  await setHidden(trx, events, message, true, now);
  await recordAudit(trx, {
    appId: app.id,
    action: 'message.hide',
    actorId: null,
    targetType: 'message',
    targetId: message.id,
    channelId: message.channelId,
    reason: `auto-hidden after ${reports} reports`,
    details: { flagId: flag.id, reports, threshold },
    at: now,
  });
  return true;
}

/** Shows a hidden message again (a dismissed flag), with its content on the `message.updated`. A deleted or absent message is left as it is. */
export async function unhide(trx: Tx, events: EventWriter, appId: string, messageId: string): Promise<boolean> {
  const message = await findMessage(trx, appId, messageId);
  if (!message || !message.hidden || message.deletedAt !== null) return false;
  await setHidden(trx, events, message, false, Date.now());
  return true;
}
