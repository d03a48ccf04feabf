import type { Flag, FlagReport } from '@chatsdk/protocol';
import type { Kysely, Selectable } from 'kysely';
import type { Database, FlagsTable } from '../../store/schema.js';
import { toIso } from '../common/ids.js';
import { readJson } from '../common/json-columns.js';
import { messageFromRow, toWireMessage } from '../messages/message-records.js';
import { toWireUser, userFromRow } from '../users/users.js';

/** Reports shown with each flag: the newest ones. */
export const REPORTS_SHOWN = 20;
/** Distinct reasons shown with each flag, oldest first: a flag of thousands of reports stays one screen. */
export const REASONS_SHOWN = 50;

/** The reporter id the system (a blocklist in `flag` mode) reports under: one system report per flag. */
export const SYSTEM_REPORTER = '';

/** What a flag targets. */
export type FlagTarget = { type: 'message'; id: string } | { type: 'user'; id: string };

type FlagRow = Selectable<FlagsTable>;

function toWireReport(row: { reporter_id: string; reason: string | null; custom: string; created_at: number }): FlagReport {
  return {
    userId: row.reporter_id === SYSTEM_REPORTER ? null : row.reporter_id,
    reason: row.reason,
    custom: readJson<Record<string, unknown>>(row.custom),
    createdAt: toIso(Number(row.created_at)),
  };
}

function review(row: FlagRow): Flag['review'] {
  if (row.review_action === null || row.reviewed_at === null) return null;
  return {
    action: row.review_action as NonNullable<Flag['review']>['action'],
    reviewedBy: row.reviewed_by,
    reason: row.review_reason,
    reviewedAt: toIso(Number(row.reviewed_at)),
  };
}

/** The newest reports of each flag, up to `REPORTS_SHOWN` each, in one statement whatever the number of flags. */
async function reportsOf(db: Kysely<Database>, appId: string, flagIds: string[]): Promise<Map<string, FlagReport[]>> {
  const rows = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('flag_reports')
        .select(['flag_id', 'reporter_id', 'reason', 'custom', 'created_at'])
        .select((inner) =>
          inner.fn
            .agg<number>('row_number')
            .over((over) => over.partitionBy('flag_id').orderBy('created_at', 'desc').orderBy('reporter_id'))
            .as('rank'),
        )
        .where('app_id', '=', appId)
        .where('flag_id', 'in', flagIds)
        .as('ranked'),
    )
    .selectAll()
    .where('rank', '<=', REPORTS_SHOWN)
    .orderBy('flag_id')
    .orderBy('rank')
    .execute();
  const reports = new Map<string, FlagReport[]>();
  for (const row of rows) {
    const list = reports.get(row.flag_id) ?? [];
    list.push(toWireReport(row));
    reports.set(row.flag_id, list);
  }
  return reports;
}

/** Each flag's distinct reasons, oldest first (by when each was first given). */
async function reasonsOf(db: Kysely<Database>, appId: string, flagIds: string[]): Promise<Map<string, string[]>> {
  const rows = await db
    .selectFrom('flag_reports')
    .select((eb) => ['flag_id', 'reason', eb.fn.min('created_at').as('first')])
    .where('app_id', '=', appId)
    .where('flag_id', 'in', flagIds)
    .where('reason', 'is not', null)
    .groupBy(['flag_id', 'reason'])
    .orderBy('flag_id')
    .orderBy('first')
    .orderBy('reason')
    .execute();
  const reasons = new Map<string, string[]>();
  for (const row of rows) {
    if (row.reason === null) continue;
    const list = reasons.get(row.flag_id) ?? [];
    if (list.length < REASONS_SHOWN) list.push(row.reason);
    reasons.set(row.flag_id, list);
  }
  return reasons;
}

/**
 * Flags on the wire, as the review queue shows them: each with its message
 * as stored (a hidden one with its content: the reviewer must see what was
 * reported), its user, its newest reports and its reasons. Five statements
 * whatever the number of flags.
 */
export async function hydrateFlags(db: Kysely<Database>, appId: string, rows: FlagRow[]): Promise<Flag[]> {
  if (rows.length === 0) return [];
  const flagIds = rows.map((r) => r.id);
  const messageIds = [...new Set(rows.flatMap((r) => (r.target_type === 'message' ? [r.target_id] : [])))];
  const userIds = [...new Set(rows.flatMap((r) => (r.target_user_id === null ? [] : [r.target_user_id])))];
  const [messageRows, userRows, reports, reasons] = await Promise.all([
    messageIds.length === 0 ? [] : db.selectFrom('messages').selectAll().where('app_id', '=', appId).where('id', 'in', messageIds).execute(),
    userIds.length === 0 ? [] : db.selectFrom('users').selectAll().where('app_id', '=', appId).where('id', 'in', userIds).execute(),
    reportsOf(db, appId, flagIds),
    reasonsOf(db, appId, flagIds),
  ]);
  const messages = new Map(messageRows.map((row) => [row.id, toWireMessage(messageFromRow(row), { reveal: true })]));
  const users = new Map(userRows.map((row) => [row.id, toWireUser(userFromRow(row))]));
  return rows.map((row) => ({
    id: row.id,
    targetType: row.target_type as Flag['targetType'],
    messageId: row.target_type === 'message' ? row.target_id : null,
    channelId: row.channel_id,
    targetUserId: row.target_user_id,
    // A hard-deleted message is gone from the store: the flag stays, for the record of its review.
    message: row.target_type === 'message' ? (messages.get(row.target_id) ?? null) : null,
    user: row.target_user_id === null ? null : (users.get(row.target_user_id) ?? null),
    status: row.status,
    flagCount: Number(row.flag_count),
    reasons: reasons.get(row.id) ?? [],
    reports: reports.get(row.id) ?? [],
    createdAt: toIso(Number(row.created_at)),
    updatedAt: toIso(Number(row.updated_at)),
    review: review(row),
  }));
}

/** One flag on the wire (see `hydrateFlags`). */
export async function hydrateFlag(db: Kysely<Database>, appId: string, row: FlagRow): Promise<Flag> {
  const [flag] = await hydrateFlags(db, appId, [row]);
  if (!flag) throw new Error('hydrating one flag returned none');
  return flag;
}

/** The flag of a target, if it was ever flagged. */
export async function findFlagOf(db: Kysely<Database>, appId: string, target: FlagTarget): Promise<FlagRow | undefined> {
  return db
    .selectFrom('flags')
    .selectAll()
    .where('app_id', '=', appId)
    .where('target_type', '=', target.type)
    .where('target_id', '=', target.id)
    .executeTakeFirst();
}

/** A flag of the app by id. */
export async function findFlag(db: Kysely<Database>, appId: string, id: string): Promise<FlagRow | undefined> {
  return db.selectFrom('flags').selectAll().where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
}
