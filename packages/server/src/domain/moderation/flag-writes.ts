import type { Flag, Message, ModerationFlaggedEvent } from '@chatsdk/protocol';
import type { Selectable } from 'kysely';
import type { FlagsTable } from '../../store/schema.js';
import type { Store } from '../../store/store.js';
import { recordAudit } from '../audit/audit-log.js';
import { serialiseCustom } from '../common/custom-data.js';
import { randomId, toIso } from '../common/ids.js';
import type { Tx } from '../events/batch-end.js';
import { recordEvent } from '../events/event-sinks.js';
import { type FlagTarget, hydrateFlag, SYSTEM_REPORTER } from './flag-records.js';

/** A blocklist's flag of a message, as a send records it. */
export interface SystemFlagInput {
  appId: string;
  /** The message as stored (wire form, before hiding). */
  message: Message;
  /** Why: the names of the `flag` blocklists that matched. */
  reason: string;
}

/** One report of a target, by a user or by the system. */
export interface ReportInput {
  appId: string;
  target: FlagTarget;
  /** The flagged message's channel; null for a user flag. */
  channelId: string | null;
  /** The flagged user, or the message's author (null for the server's messages). */
  targetUserId: string | null;
  /** The reporting user; `SYSTEM_REPORTER` for a blocklist. */
  reporterId: string;
  reason?: string | undefined;
  custom?: Record<string, unknown> | undefined;
  now: number;
}

/** What a report did: the flag as it now stands, and whether this reporter's report is new. */
export interface ReportResult {
  row: Selectable<FlagsTable>;
  flag: Flag;
  created: boolean;
}

/**
 * The lane a target's webhook events take: the channel's for a message, so a
 * receiver sees `message.new` before the flag of it; the user's for a user.
 */
function laneOf(input: ReportInput): string {
  return input.channelId ?? `user:${input.target.id}`;
}

/** The flag row of the target, made pending and empty if it never was flagged. */
async function flagRowOf(trx: Tx, input: ReportInput): Promise<Selectable<FlagsTable>> {
  // Two first reports race on the unique target index: the second waits for the first and then finds its row.
  await trx
    .insertInto('flags')
    .values({
      app_id: input.appId,
      id: randomId('flg'),
      target_type: input.target.type,
      target_id: input.target.id,
      channel_id: input.channelId,
      target_user_id: input.targetUserId,
      status: 'pending',
      flag_count: 0,
      created_at: input.now,
      updated_at: input.now,
    })
    .onConflict((oc) => oc.columns(['app_id', 'target_type', 'target_id']).doNothing())
    .execute();
  return trx
    .selectFrom('flags')
    .selectAll()
    .where('app_id', '=', input.appId)
    .where('target_type', '=', input.target.type)
    .where('target_id', '=', input.target.id)
    .executeTakeFirstOrThrow();
}

/**
 * The one write path of every report, a user's or a blocklist's, inside the
 * caller's transaction: the flag (made once per target), the reporter's
 * report (once per reporter: asking again changes nothing), the count, the
 * audit entry and the `moderation.flagged` webhook event. A new report of a
 * reviewed flag makes it pending again; `updated_at` is when the flag
 * entered its status, so the queue keeps its order as reports pile onto a
 * pending flag. The caller announces a created report after its commit.
 */
export async function writeReport(
  store: Store,
  trx: Tx,
  input: ReportInput,
  /** Runs once a new report is counted, before the flag is read for its event: what it changes (a hidden message) shows in it. */
  counted?: (row: Selectable<FlagsTable>) => Promise<void>,
): Promise<ReportResult> {
  const before = await flagRowOf(trx, input);
  const inserted = await trx
    .insertInto('flag_reports')
    .values({
      app_id: input.appId,
      flag_id: before.id,
      reporter_id: input.reporterId,
      reason: input.reason ?? null,
      custom: serialiseCustom(input.custom),
      created_at: input.now,
    })
    .onConflict((oc) => oc.columns(['app_id', 'flag_id', 'reporter_id']).doNothing())
    .returning('reporter_id')
    .executeTakeFirst();
  if (!inserted) return { row: before, flag: await hydrateFlag(trx, input.appId, before), created: false };

  // Counted in the statement, not from the row read above: racing reports of one flag each add theirs.
  const row = await trx
    .updateTable('flags')
    .set((eb) => ({
      flag_count: eb('flag_count', '+', 1),
      status: 'pending',
      updated_at: eb.case().when('status', '=', 'reviewed').then(input.now).else(eb.ref('updated_at')).end(),
    }))
    .where('app_id', '=', input.appId)
    .where('id', '=', before.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await counted?.(row);
  const flag = await hydrateFlag(trx, input.appId, row);
  await recordAudit(trx, {
    appId: input.appId,
    action: 'flag',
    actorId: input.reporterId === SYSTEM_REPORTER ? null : input.reporterId,
    targetType: input.target.type,
    targetId: input.target.id,
    channelId: input.channelId,
    reason: input.reason ?? null,
    details: { flagId: row.id, flagCount: flag.flagCount, ...(input.targetUserId === null ? {} : { userId: input.targetUserId }) },
    at: input.now,
  });
  const event: ModerationFlaggedEvent = { type: 'moderation.flagged', flag, createdAt: toIso(input.now) };
  recordEvent(store, trx, { appId: input.appId, lane: laneOf(input), type: event.type, json: JSON.stringify(event), at: input.now });
  return { row, flag, created: true };
}

/**
 * Flags a message for review on behalf of the system (a blocklist in `flag`
 * mode), inside the send's transaction: the flag, its report, the audit entry
 * and the `moderation.flagged` webhook event commit with the message. Answers
 * the flag as the queue shows it, for the caller to announce to moderators
 * after the commit (`flag-announce.ts`). A system report does not count
 * towards auto-hide: that is the users' verdict; a blocklist that should
 * hide uses `block` or `mask`.
 */
export async function flagMessageBySystem(store: Store, trx: Tx, input: SystemFlagInput): Promise<Flag | undefined> {
  const { message } = input;
  const result = await writeReport(store, trx, {
    appId: input.appId,
    target: { type: 'message', id: message.id },
    channelId: message.channelId,
    targetUserId: message.userId,
    reporterId: SYSTEM_REPORTER,
    reason: input.reason,
    now: Date.now(),
  });
  return result.created ? result.flag : undefined;
}
